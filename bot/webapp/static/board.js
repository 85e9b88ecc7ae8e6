// The sort board: a Telegram Mini App page where a participant sorts the cards of a lens
// into five piles (drag and drop with SortableJS, or tap a card and then a pile), then
// chooses a top. The server is the truth: every move is sent as it happens and the page
// renders the state it answers. Every word comes from state.words (board_* labels).
(() => {
  'use strict';

  const wa = (window.Telegram && window.Telegram.WebApp) || null;
  const query = new URLSearchParams(location.search);
  const base = location.pathname.replace(/\/board\/?$/, '');
  // without ?s= (the chat's menu button) the server answers with the session the person
  // joined last; the page then stays with that session
  let sessionId = query.get('s') || '';
  const apiUrl = () => `${base}/api/board?s=${encodeURIComponent(sessionId)}`;
  const REQUEST_TIMEOUT_MS = 15000;
  const NOTICE_MS = 4500;

  const $ = (id) => document.getElementById(id);
  const el = {
    app: $('app'),
    lensStep: $('lens-step'),
    title: $('title'),
    prompt: $('prompt'),
    promptToggle: $('prompt-toggle'),
    viewSort: $('view-sort'),
    trayWrap: $('tray-wrap'),
    trayTitle: $('tray-title'),
    trayCount: $('tray-count'),
    tray: $('tray'),
    progress: $('progress'),
    progressText: $('progress-text'),
    progressFill: $('progress-fill'),
    sortHint: $('sort-hint'),
    piles: $('piles'),
    viewTop: $('view-top'),
    choices: $('choices'),
    viewDone: $('view-done'),
    result: $('result'),
    moves: $('moves'),
    movesTitle: $('moves-title'),
    movesList: $('moves-list'),
    thanks: $('thanks'),
    viewMessage: $('view-message'),
    message: $('message'),
    reload: $('reload'),
    actions: $('actions'),
    confirmPiles: $('confirm-piles'),
    confirmTop: $('confirm-top'),
    notice: $('notice'),
    noticeText: $('notice-text'),
    noticeRetry: $('notice-retry'),
    sheet: $('sheet'),
    sheetBackdrop: $('sheet-backdrop'),
    sheetTitle: $('sheet-title'),
    sheetText: $('sheet-text'),
    sheetClose: $('sheet-close'),
  };

  let state = null; // the last state the server answered
  let words = {};
  let fatal = false; // 401/403/404: nothing more to do on this page
  let selected = null; // the card chosen for tap-to-move
  let queue = []; // actions not sent yet, in order
  let inflight = null; // the action being sent
  let failed = []; // actions that did not reach the server: shown undone, offered again
  let pumping = false;
  let answers = 0;
  let dragging = false;
  let renderWanted = false;
  let noticeTimer = 0;
  let sheetCard = null;
  let sheetReturnFocus = null;
  let pilesKey = '';
  let sortables = [];
  let lastPlace = ''; // "step:lens" of the last render, to scroll up on a new screen
  let promptOpen = false;

  // --- words -----------------------------------------------------------------------------

  function t(key, params) {
    const text = Object.prototype.hasOwnProperty.call(words, key) ? String(words[key]) : '';
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
    );
  }

  // --- Telegram --------------------------------------------------------------------------

  function tgAtLeast(version) {
    return !!(wa && typeof wa.isVersionAtLeast === 'function' && wa.isVersionAtLeast(version));
  }

  function tgCall(fn) {
    try {
      fn();
    } catch (err) {
      // an older Telegram client without this method: the page works without it
    }
  }

  function applyTheme() {
    const scheme = wa && wa.colorScheme === 'dark' ? 'dark' : wa && wa.colorScheme === 'light' ? 'light' : '';
    if (scheme) document.documentElement.dataset.scheme = scheme;
    else delete document.documentElement.dataset.scheme;
    if (tgAtLeast('6.1')) {
      tgCall(() => wa.setHeaderColor('secondary_bg_color'));
      tgCall(() => wa.setBackgroundColor('secondary_bg_color'));
    }
  }

  function haptic(kind) {
    if (!tgAtLeast('6.1') || !wa.HapticFeedback) return;
    tgCall(() => {
      if (kind === 'select') wa.HapticFeedback.selectionChanged();
      else if (kind === 'error') wa.HapticFeedback.notificationOccurred('error');
      else wa.HapticFeedback.impactOccurred('light');
    });
  }

  function setBackButton(visible) {
    if (!wa || !wa.BackButton || !tgAtLeast('6.1')) return;
    tgCall(() => (visible ? wa.BackButton.show() : wa.BackButton.hide()));
  }

  // --- talking to the server -------------------------------------------------------------

  class NetworkError extends Error {}

  async function call(method, action) {
    const headers = { Authorization: `tma ${(wa && wa.initData) || ''}` };
    const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
    if (action) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(action);
    }
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    if (controller) init.signal = controller.signal;
    const timer = controller ? setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS) : 0;
    let response;
    try {
      response = await fetch(apiUrl(), init);
    } catch (err) {
      throw new NetworkError(String(err));
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    return { status: response.status, data };
  }

  function messageOf(reply) {
    return reply && reply.data && typeof reply.data.message === 'string' ? reply.data.message : '';
  }

  function isFatal(status) {
    return status === 401 || status === 403 || status === 404;
  }

  function accept(reply) {
    state = reply.data.state;
    if (!sessionId && state && state.session !== undefined && state.session !== null) {
      sessionId = String(state.session);
    }
    if (state && state.words && typeof state.words === 'object') words = state.words;
    if (reply.data.notice) showNotice(reply.data.notice);
  }

  function stop(reply) {
    fatal = true;
    queue = [];
    failed = [];
    showMessage(messageOf(reply) || t('board_error'), false);
  }

  async function load() {
    let reply;
    try {
      reply = await call('GET');
    } catch (err) {
      if (state) showRetry();
      else showMessage(t('board_load_failed'), true);
      return false;
    }
    if (reply.status === 200 && reply.data && reply.data.state) {
      accept(reply);
      render();
      return true;
    }
    if (isFatal(reply.status)) stop(reply);
    else if (state) showRetry();
    else showMessage(messageOf(reply) || t('board_load_failed'), true);
    return false;
  }

  // the action as the server knows it (our own bookkeeping fields left out)
  function wire(action) {
    const out = { action: action.action };
    for (const key of ['lens', 'card', 'level']) if (key in action) out[key] = action[key];
    return out;
  }

  // an action the last state already shows (a retry after an answer that got lost)
  function redundant(action) {
    if (!state) return false;
    if (action.action === 'toggle') {
      return !state.top || state.top.selected.includes(action.card) === action.want;
    }
    if (action.action === 'confirm') {
      return !state.lens || state.lens.index !== action.lens ||
        (state.step !== 'sorting' && state.step !== 'review');
    }
    if (action.action === 'confirm_top') return state.step !== 'top';
    return false;
  }

  function enqueue(action) {
    if (fatal) return;
    if (action.action === 'place') {
      failed = failed.filter((a) => !(a.action === 'place' && a.card === action.card));
      if (!failed.length) hideNotice(true);
    }
    queue.push(action);
    render();
    pump();
  }

  async function pump() {
    if (pumping) return;
    pumping = true;
    while (queue.length && !fatal) {
      const action = queue.shift();
      if (redundant(action)) continue;
      inflight = action;
      let reply;
      try {
        reply = await call('POST', wire(action));
      } catch (err) {
        reply = null;
      }
      inflight = null;
      answers += 1;
      el.app.dataset.answers = String(answers); // moves answered or failed (tests count them)
      if (reply && reply.status === 200 && reply.data && reply.data.state) {
        accept(reply);
      } else if (reply && isFatal(reply.status)) {
        stop(reply);
      } else if (reply && reply.status === 400) {
        // the server refused this move: say why; the board shows what the server holds
        showNotice(messageOf(reply) || t('board_error'));
        haptic('error');
      } else {
        // no answer (network) or a server fault: undo on screen, offer to send again
        failed = failed.concat([action], queue);
        queue = [];
        showRetry();
        haptic('error');
      }
      scheduleRender();
    }
    pumping = false;
    scheduleRender();
  }

  async function retry() {
    const again = failed;
    failed = [];
    hideNotice(true);
    render();
    const ok = await load();
    if (!ok) {
      if (!fatal) {
        failed = again.concat(failed);
        showRetry();
      }
      return;
    }
    queue = again.concat(queue);
    render();
    pump();
  }

  // --- the state as it will be once the moves on their way have arrived -----------------

  function pending() {
    return inflight ? [inflight, ...queue] : queue.slice();
  }

  function view() {
    if (!state) return null;
    const moves = pending();
    if (!moves.length) return state;
    const v = Object.assign({}, state, {
      cards: (state.cards || []).map((c) => Object.assign({}, c)),
      top: state.top ? Object.assign({}, state.top, { selected: state.top.selected.slice() }) : null,
    });
    for (const a of moves) {
      if (a.action === 'place') {
        const card = v.cards.find((c) => c.id === a.card);
        if (card) card.level = a.level;
      } else if (a.action === 'toggle' && v.top) {
        const at = v.top.selected.indexOf(a.card);
        if (a.want && at < 0) v.top.selected.push(a.card);
        if (!a.want && at >= 0) v.top.selected.splice(at, 1);
      }
    }
    if (v.step === 'sorting' || v.step === 'review') {
      v.step = v.cards.every((c) => c.level !== null && c.level !== undefined) ? 'review' : 'sorting';
    }
    return v;
  }

  function busyWith(kind) {
    return pending().some((a) => a.action === kind);
  }

  // --- notices ---------------------------------------------------------------------------

  function showNotice(text, sticky) {
    if (!text) return;
    clearTimeout(noticeTimer);
    el.noticeText.textContent = text;
    el.noticeRetry.hidden = true;
    el.notice.dataset.kind = 'info';
    el.notice.hidden = false;
    if (!sticky) noticeTimer = setTimeout(() => hideNotice(false), NOTICE_MS);
  }

  function showRetry() {
    clearTimeout(noticeTimer);
    el.noticeText.textContent = t('board_retry_notice');
    el.noticeRetry.textContent = t('board_retry');
    el.noticeRetry.hidden = false;
    el.notice.dataset.kind = 'error';
    el.notice.hidden = false;
  }

  function hideNotice(evenRetry) {
    if (!evenRetry && !el.noticeRetry.hidden && failed.length) return;
    clearTimeout(noticeTimer);
    el.notice.hidden = true;
    el.noticeRetry.hidden = true;
  }

  function showMessage(text, canReload) {
    state = fatal ? null : state;
    el.app.dataset.step = 'message';
    el.app.setAttribute('aria-busy', 'false');
    for (const section of [el.viewSort, el.viewTop, el.viewDone]) section.hidden = true;
    el.actions.hidden = true;
    el.progress.hidden = true;
    el.lensStep.textContent = '';
    el.prompt.textContent = '';
    el.prompt.hidden = true;
    el.promptToggle.hidden = true;
    el.title.textContent = t('board_title');
    el.message.textContent = text;
    el.reload.hidden = !canReload;
    // before the first answer the page has no words: the reload button is a symbol then
    el.reload.textContent = t('board_reload') || '⟳';
    el.viewMessage.hidden = false;
    closeSheet();
    setBackButton(false);
    ready();
  }

  // --- rendering -------------------------------------------------------------------------

  function scheduleRender() {
    if (dragging) renderWanted = true;
    else render();
  }

  function node(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }

  function focusKey() {
    const active = document.activeElement;
    return active && active.dataset ? active.dataset.focus || '' : '';
  }

  function restoreFocus(key) {
    if (!key || sheetCard) return;
    const target = document.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    if (target && document.activeElement !== target) target.focus({ preventScroll: true });
  }

  function render() {
    renderWanted = false;
    if (fatal || !state) return;
    const v = view();
    const key = focusKey();
    document.documentElement.lang = v.locale || '';
    document.title = t('board_title');
    el.app.dataset.step = v.step;
    el.app.dataset.pending = String(pending().length); // moves on their way (tests wait for 0)
    el.app.dataset.failed = String(failed.length);
    el.app.setAttribute('aria-busy', 'false');
    el.viewMessage.hidden = true;
    el.sheetClose.textContent = t('board_close');
    el.noticeRetry.textContent = t('board_retry');
    const sorting = v.step === 'sorting' || v.step === 'review';
    const place = `${sorting ? 'sort' : v.step}:${v.lens ? v.lens.index : ''}`;
    if (place !== lastPlace) {
      if (lastPlace) window.scrollTo(0, 0);
      lastPlace = place;
      selected = null;
      promptOpen = false;
    }
    el.viewSort.hidden = !sorting;
    el.viewTop.hidden = v.step !== 'top';
    el.viewDone.hidden = v.step !== 'done';
    el.actions.hidden = !(v.step === 'review' || v.step === 'top');
    el.confirmPiles.hidden = v.step !== 'review';
    el.confirmTop.hidden = v.step !== 'top';
    if (sorting) renderSort(v);
    else if (v.step === 'top') renderTop(v);
    else if (v.step === 'done') renderDone(v);
    else renderElsewhere(v);
    if (sheetCard && !v.cards.some((c) => c.id === sheetCard)) closeSheet();
    restoreFocus(key);
    setBackButton(!!sheetCard);
    ready();
  }

  function setHead(step, title, prompt) {
    el.lensStep.textContent = step || '';
    el.lensStep.hidden = !step;
    el.title.textContent = title || '';
    el.prompt.textContent = prompt || '';
    el.prompt.hidden = !prompt;
    el.prompt.classList.toggle('open', promptOpen);
    // a long prompt shows its first lines; the toggle opens the rest
    const long = !!prompt && (promptOpen || el.prompt.scrollHeight > el.prompt.clientHeight + 2);
    el.promptToggle.hidden = !long;
    el.promptToggle.textContent = t(promptOpen ? 'board_prompt_less' : 'board_prompt_more');
    el.promptToggle.setAttribute('aria-expanded', String(promptOpen));
  }

  function setProgress(text, done, total) {
    el.progress.hidden = false;
    el.progressText.textContent = text;
    const share = total > 0 ? Math.round((100 * done) / total) : 0;
    el.progressFill.style.width = `${share}%`;
    el.progress.dataset.full = String(done >= total && total > 0);
  }

  function renderSort(v) {
    const lens = v.lens || { index: 0, count: 1, name: '', prompt: '' };
    setHead(
      t('board_lens_step', { number: lens.index + 1, count: lens.count }),
      lens.name || t('board_title'),
      lens.prompt,
    );
    const cards = v.cards || [];
    const placed = cards.filter((c) => c.level !== null && c.level !== undefined).length;
    el.progress.hidden = true;
    el.trayCount.textContent = t('board_progress', { placed, total: cards.length });
    if (selected && !cards.some((c) => c.id === selected)) selected = null;
    el.app.classList.toggle('selecting', !!selected);

    buildPiles(v.levels || []);
    const unplaced = cards.filter((c) => c.level === null || c.level === undefined);
    el.trayTitle.textContent = t('board_tray');
    el.trayWrap.dataset.empty = String(unplaced.length === 0);
    fillList(el.tray, unplaced);
    for (const pile of el.piles.querySelectorAll('.pile')) {
      const level = Number(pile.dataset.pile);
      const mine = cards.filter((c) => c.level === level);
      fillList(pile.querySelector('.pile-cards'), mine);
      pile.querySelector('.pile-count').textContent = String(mine.length);
      const label = pile.dataset.label;
      const head = pile.querySelector('.pile-head');
      const card = selected && cards.find((c) => c.id === selected);
      head.setAttribute(
        'aria-label',
        card ? t('board_place_card', { card: card.title, pile: label }) : `${label} (${mine.length})`,
      );
      head.classList.toggle('current', !!card && card.level === level);
      pile.querySelector('.pile-place').textContent = t('board_place_here');
      pile.querySelector('.pile-cards').dataset.empty = t('board_pile_empty');
    }

    const chosen = selected && cards.find((c) => c.id === selected);
    if (chosen) el.sortHint.textContent = t('board_hint_selected', { card: chosen.title });
    else if (v.step === 'review') el.sortHint.textContent = t('board_hint_review');
    else el.sortHint.textContent = t('board_hint_sorting');

    el.confirmPiles.textContent = t('board_confirm_piles');
    el.confirmPiles.disabled = v.step !== 'review' || busyWith('confirm') || failed.length > 0;
  }

  function buildPiles(levels) {
    const key = JSON.stringify(levels);
    if (key === pilesKey) return;
    pilesKey = key;
    for (const s of sortables) s.destroy();
    sortables = [];
    el.piles.textContent = '';
    const ordered = levels.slice().sort((a, b) => b.level - a.level);
    for (const { level, label } of ordered) {
      const pile = node('section', 'pile');
      pile.dataset.pile = String(level);
      pile.dataset.label = label;
      pile.dataset.testid = `pile-${level}`;
      const head = node('button', 'pile-head');
      head.type = 'button';
      head.dataset.place = String(level);
      head.dataset.focus = `pile:${level}`;
      head.dataset.testid = `place-${level}`;
      head.append(
        node('span', 'pile-label', label),
        node('span', 'pile-count', '0'),
        node('span', 'pile-place'),
      );
      head.querySelector('.pile-count').setAttribute('aria-hidden', 'true');
      const list = node('ul', 'cards pile-cards');
      list.dataset.level = String(level);
      pile.append(head, list);
      el.piles.append(pile);
      sortables.push(makeSortable(list, true));
    }
    sortables.push(makeSortable(el.tray, false));
  }

  function fillList(list, cards) {
    const want = cards.map((c) => c.id).join('\n');
    const items = Array.from(list.children);
    const have = items.map((li) => li.dataset.card).join('\n');
    if (want === have && items.length === cards.length) {
      cards.forEach((c, i) => updateCard(items[i], c));
      return;
    }
    list.textContent = '';
    for (const card of cards) list.append(updateCard(makeCard(card), card));
  }

  function makeCard(card) {
    const li = node('li', 'card');
    li.dataset.card = card.id;
    li.dataset.testid = `card-${card.id}`;
    const main = node('button', 'card-main');
    main.type = 'button';
    main.dataset.focus = `card:${card.id}`;
    main.dataset.select = card.id;
    const title = node('span', 'card-title');
    main.append(title);
    const info = node('button', 'card-info', 'i');
    info.type = 'button';
    info.dataset.info = card.id;
    info.dataset.focus = `info:${card.id}`;
    info.dataset.testid = `info-${card.id}`;
    li.append(main, info);
    return li;
  }

  function updateCard(li, card) {
    const main = li.querySelector('.card-main');
    const on = selected === card.id;
    li.classList.toggle('selected', on);
    main.setAttribute('aria-pressed', String(on));
    li.querySelector('.card-title').textContent = card.title;
    const info = li.querySelector('.card-info');
    info.hidden = !card.description;
    info.setAttribute('aria-label', t('board_card_info', { card: card.title }));
    info.setAttribute('aria-expanded', String(sheetCard === card.id));
    return li;
  }

  function makeSortable(list, accepts) {
    if (typeof window.Sortable !== 'function') return { destroy() {} };
    return window.Sortable.create(list, {
      group: { name: 'board', pull: true, put: accepts },
      sort: false,
      draggable: '.card',
      filter: '.card-info',
      preventOnFilter: false,
      animation: 150,
      forceFallback: true,
      fallbackOnBody: true,
      fallbackTolerance: 4,
      delay: 160,
      delayOnTouchOnly: true,
      touchStartThreshold: 6,
      emptyInsertThreshold: 12,
      revertOnSpill: true, // let go outside the piles: the card goes back, nothing is sent
      scroll: true,
      scrollSensitivity: 70,
      scrollSpeed: 12,
      bubbleScroll: true,
      ghostClass: 'card-ghost',
      chosenClass: 'card-chosen',
      dragClass: 'card-drag',
      fallbackClass: 'card-fallback',
      onStart(evt) {
        dragging = true;
        el.app.classList.add('dragging');
        // hidden only now: SortableJS has measured it for the copy under the finger
        if (evt.item) evt.item.classList.add('card-lifted');
      },
      // the card does not take a place in the piles it passes (the piles would jump under
      // the finger); the pile it would land on lights up instead
      onMove(evt) {
        markDropTarget(evt.to);
      },
      onEnd(evt) {
        dragging = false;
        el.app.classList.remove('dragging');
        markDropTarget(null);
        if (evt.item) evt.item.classList.remove('card-lifted');
        const id = evt.item && evt.item.dataset.card;
        const level = evt.to && evt.to.dataset.level ? Number(evt.to.dataset.level) : null;
        // Sortable moved the element already; the page draws the board again from its state
        setTimeout(() => {
          const v = view();
          const card = v && v.cards.find((c) => c.id === id);
          if (card && level && evt.from !== evt.to && card.level !== level) {
            if (selected === id) selected = null;
            haptic('drop');
            place(id, level);
          } else {
            forceRedraw();
          }
        }, 0);
      },
    });
  }

  function markDropTarget(list) {
    const pile = list && list.closest ? list.closest('.pile') : null;
    for (const other of el.piles.querySelectorAll('.pile.drop-target')) {
      if (other !== pile) other.classList.remove('drop-target');
    }
    if (pile) pile.classList.add('drop-target');
  }

  // while dragging: no pile lights up when the pointer is off the piles (letting go there
  // puts the card back); back over the pile that holds the card, it lights up again
  function trackPointer(evt) {
    if (!dragging) return;
    const point = evt.touches && evt.touches.length ? evt.touches[0] : evt;
    const under = document.elementFromPoint(point.clientX, point.clientY);
    const pile = under && under.closest ? under.closest('.pile') : null;
    if (!pile) markDropTarget(null);
    else if (pile.querySelector('.card-ghost')) markDropTarget(pile.querySelector('.pile-cards'));
  }

  function forceRedraw() {
    // the lists may hold an element Sortable moved: draw them from scratch
    for (const list of [el.tray, ...el.piles.querySelectorAll('.pile-cards')]) list.textContent = '';
    render();
  }

  function place(cardId, level) {
    if (!state || !state.lens) return;
    enqueue({ action: 'place', lens: state.lens.index, card: cardId, level });
  }

  function renderTop(v) {
    const top = v.top || { candidates: [], selected: [], size: 4 };
    const chosen = top.selected.length;
    setHead('', t('board_top_title', { size: top.size }), t('board_top_hint', { size: top.size }));
    setProgress(t('board_top_count', { chosen, size: top.size }), chosen, top.size);
    const byId = new Map((v.cards || []).map((c) => [c.id, c]));
    const want = top.candidates.join('\n');
    if (el.choices.dataset.ids !== want) {
      el.choices.dataset.ids = want;
      el.choices.textContent = '';
      for (const id of top.candidates) {
        const card = byId.get(id) || { id, title: id, description: '' };
        const li = node('li', 'choice');
        li.dataset.card = id;
        li.dataset.testid = `choice-${id}`;
        const main = node('button', 'choice-main');
        main.type = 'button';
        main.dataset.toggle = id;
        main.dataset.focus = `choice:${id}`;
        main.append(node('span', 'choice-mark'), node('span', 'card-title'));
        main.querySelector('.choice-mark').setAttribute('aria-hidden', 'true');
        const info = node('button', 'card-info', 'i');
        info.type = 'button';
        info.dataset.info = id;
        info.dataset.focus = `info:${id}`;
        info.dataset.testid = `info-${id}`;
        li.append(main, info);
        el.choices.append(li);
      }
    }
    for (const li of el.choices.children) {
      const id = li.dataset.card;
      const card = byId.get(id) || { id, title: id, description: '' };
      const on = top.selected.includes(id);
      li.classList.toggle('selected', on);
      const main = li.querySelector('.choice-main');
      main.setAttribute('aria-pressed', String(on));
      li.querySelector('.card-title').textContent = card.title;
      const info = li.querySelector('.card-info');
      info.hidden = !card.description;
      info.setAttribute('aria-label', t('board_card_info', { card: card.title }));
      info.setAttribute('aria-expanded', String(sheetCard === id));
    }
    el.confirmTop.textContent = t('board_confirm_top', { chosen, size: top.size });
    el.confirmTop.disabled = chosen !== top.size || busyWith('confirm_top') || failed.length > 0;
  }

  function renderDone(v) {
    const ids = (v.result && v.result.top) || [];
    const byId = new Map((v.cards || []).map((c) => [c.id, c]));
    setHead('', t('board_done_title', { size: ids.length }), '');
    el.progress.hidden = true;
    el.result.textContent = '';
    for (const id of ids) {
      const li = node('li', 'result-card', (byId.get(id) || { title: id }).title);
      li.dataset.card = id;
      el.result.append(li);
    }
    // The lens comparison: the cards that moved most between the first and the last lens.
    const moves = (v.result && v.result.moves) || [];
    const lenses = (v.result && v.result.lenses) || [];
    const label = new Map((v.levels || []).map((l) => [l.level, l.label]));
    el.moves.hidden = moves.length === 0 || lenses.length < 2;
    el.movesTitle.textContent = t('board_moves_title', { first: lenses[0], last: lenses[1] });
    el.movesList.textContent = '';
    for (const move of moves) {
      const li = node('li', 'move');
      li.dataset.card = move.card;
      li.append(node('span', 'move-card', (byId.get(move.card) || { title: move.card }).title));
      li.append(node('span', 'move-levels', t('board_move', {
        from: label.get(move.from) || move.from,
        to: label.get(move.to) || move.to,
      })));
      el.movesList.append(li);
    }
    el.thanks.textContent = t('board_done_thanks');
  }

  function renderElsewhere(v) {
    setHead('', t('board_title'), '');
    el.progress.hidden = true;
    el.message.textContent = v.message || '';
    el.reload.hidden = true;
    el.viewMessage.hidden = false;
  }

  let readyCalled = false;
  function ready() {
    if (readyCalled || !wa) return;
    readyCalled = true;
    tgCall(() => wa.ready());
  }

  // --- descriptions ----------------------------------------------------------------------

  function openSheet(cardId) {
    const v = view();
    const card = v && v.cards.find((c) => c.id === cardId);
    if (!card) return;
    sheetReturnFocus = document.activeElement;
    sheetCard = cardId;
    el.sheetTitle.textContent = card.title;
    el.sheetText.textContent = card.description || '';
    el.sheetClose.textContent = t('board_close');
    el.sheet.hidden = false;
    el.sheetBackdrop.hidden = false;
    document.body.classList.add('sheet-open');
    el.sheetClose.focus();
    setBackButton(true);
    render();
  }

  function closeSheet() {
    if (!sheetCard) return;
    sheetCard = null;
    el.sheet.hidden = true;
    el.sheetBackdrop.hidden = true;
    document.body.classList.remove('sheet-open');
    setBackButton(false);
    const back = sheetReturnFocus;
    sheetReturnFocus = null;
    if (back && document.contains(back)) back.focus({ preventScroll: true });
    if (state && !fatal) render();
  }

  // --- taps and keys ---------------------------------------------------------------------

  function select(cardId) {
    selected = selected === cardId ? null : cardId;
    haptic('select');
    render();
  }

  function onPileTap(level) {
    const v = view();
    const card = selected && v && v.cards.find((c) => c.id === selected);
    if (!card) {
      showNotice(t('board_tap_card_first'));
      return;
    }
    selected = null;
    if (card.level === level) {
      render();
      return;
    }
    haptic('drop');
    place(card.id, level);
  }

  el.app.addEventListener('click', (evt) => {
    const target = evt.target instanceof Element ? evt.target : null;
    if (!target || fatal) return;
    const info = target.closest('[data-info]');
    if (info) return openSheet(info.dataset.info);
    const pick = target.closest('[data-select]');
    if (pick) return select(pick.dataset.select);
    const head = target.closest('[data-place]');
    if (head) return onPileTap(Number(head.dataset.place));
    const toggle = target.closest('[data-toggle]');
    if (toggle) {
      const v = view();
      if (!v || !v.top) return;
      const id = toggle.dataset.toggle;
      haptic('select');
      return enqueue({ action: 'toggle', card: id, want: !v.top.selected.includes(id) });
    }
  });

  el.confirmPiles.addEventListener('click', () => {
    const v = view();
    if (!v || v.step !== 'review' || busyWith('confirm') || !state.lens) return;
    enqueue({ action: 'confirm', lens: state.lens.index });
  });

  el.confirmTop.addEventListener('click', () => {
    const v = view();
    if (!v || !v.top || v.top.selected.length !== v.top.size || busyWith('confirm_top')) return;
    enqueue({ action: 'confirm_top' });
  });

  el.promptToggle.addEventListener('click', () => {
    promptOpen = !promptOpen;
    render();
  });
  el.noticeRetry.addEventListener('click', () => retry());
  el.reload.addEventListener('click', () => {
    el.reload.hidden = true;
    load();
  });
  el.sheetClose.addEventListener('click', closeSheet);
  el.sheetBackdrop.addEventListener('click', closeSheet);

  document.addEventListener('pointermove', trackPointer, { passive: true });
  document.addEventListener('touchmove', trackPointer, { passive: true });

  document.addEventListener('keydown', (evt) => {
    if (sheetCard) {
      if (evt.key === 'Escape') {
        evt.preventDefault();
        closeSheet();
      } else if (evt.key === 'Tab') {
        evt.preventDefault();
        el.sheetClose.focus();
      }
      return;
    }
    if (evt.key === 'Escape' && selected) {
      evt.preventDefault();
      selected = null;
      render();
    } else if (selected && /^[1-5]$/.test(evt.key) && !evt.altKey && !evt.ctrlKey && !evt.metaKey) {
      const level = Number(evt.key);
      if (el.piles.querySelector(`[data-place="${level}"]`)) {
        evt.preventDefault();
        onPileTap(level);
      }
    }
  });

  // --- start -----------------------------------------------------------------------------

  if (wa) {
    tgCall(() => wa.expand());
    if (tgAtLeast('7.7')) tgCall(() => wa.disableVerticalSwipes()); // a drag is not a swipe away
    applyTheme();
    tgCall(() => wa.onEvent('themeChanged', applyTheme));
    if (wa.BackButton) tgCall(() => wa.BackButton.onClick(closeSheet));
  }
  load();
})();
