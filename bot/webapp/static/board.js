// The sort board: a Telegram Mini App page where a participant sorts the cards of a lens
// into five piles (drag and drop with SortableJS, or tap a card and then a pile), then
// chooses a top. The server is the truth: every move is sent as it happens and the page
// renders the state it answers. Every word comes from state.words (board_* labels). What it
// shares with the dashboard (the words, Telegram, sending the moves, notices, the sheet) is
// common.js's ValueCards.
(() => {
  'use strict';

  const VC = window.ValueCards;
  const { t, haptic, setBackButton, ready, node, focusKey, sortable } = VC;
  const query = new URLSearchParams(location.search);
  const base = location.pathname.replace(/\/board\/?$/, '');
  // without ?s= (the chat's menu button) the server answers with the session the person
  // joined last; the page then stays with that session
  let sessionId = query.get('s') || '';
  const apiUrl = () => `${base}/api/board?s=${encodeURIComponent(sessionId)}`;

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
    noticeRetry: $('notice-retry'),
    sheetTitle: $('sheet-title'),
    sheetText: $('sheet-text'),
    sheetClose: $('sheet-close'),
  };

  let state = null; // the last state the server answered
  let selected = null; // the card chosen for tap-to-move
  let dragging = false;
  let renderWanted = false;
  let pilesKey = '';
  let sortables = [];
  let lastPlace = ''; // "step:lens" of the last render, to scroll up on a new screen
  let promptOpen = false;

  // --- talking to the server -------------------------------------------------------------

  // the page's frame (common.js): the moves sent in order, loading, notices, the message
  // that replaces the board, and the sheet (it stands for the card whose description it shows)
  const page = VC.page({
    words: 'board',
    url: apiUrl,
    sheetButtons: [el.sheetClose],
    state: () => state,
    accept,
    render,
    scheduleRender,
    wire,
    redundant,
    onMessage,
    onSheetClosed() {
      if (state && !page.fatal) render();
    },
  });
  const busyWith = page.busyWith;

  function accept(next) {
    state = next;
    if (!sessionId && state && state.session !== undefined && state.session !== null) {
      sessionId = String(state.session);
    }
    VC.useWords(state);
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
    // a card placed again: its move that did not arrive is not sent any more
    if (action.action === 'place') page.forget((a) => a.action === 'place' && a.card === action.card);
    page.enqueue(action);
  }

  // --- the state as it will be once the moves on their way have arrived -----------------

  function view() {
    if (!state) return null;
    const moves = page.pending();
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

  // --- a message instead of the board ---------------------------------------------------

  function onMessage() {
    state = page.fatal ? null : state;
    el.app.dataset.step = 'message';
    for (const section of [el.viewSort, el.viewTop, el.viewDone]) section.hidden = true;
    el.actions.hidden = true;
    el.progress.hidden = true;
    el.lensStep.textContent = '';
    el.prompt.textContent = '';
    el.prompt.hidden = true;
    el.promptToggle.hidden = true;
    el.title.textContent = t('board_title');
  }

  // --- rendering -------------------------------------------------------------------------

  function scheduleRender() {
    if (dragging) renderWanted = true;
    else render();
  }

  function render() {
    renderWanted = false;
    if (page.fatal || !state) return;
    const v = view();
    const key = focusKey();
    document.documentElement.lang = v.locale || '';
    document.title = t('board_title');
    el.app.dataset.step = v.step;
    el.app.dataset.pending = String(page.pending().length); // moves on their way (tests wait for 0)
    el.app.dataset.failed = String(page.failedCount());
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
    if (page.sheet && !v.cards.some((c) => c.id === page.sheet)) page.closeSheet();
    page.restoreFocus(key);
    setBackButton(!!page.sheet);
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
    el.confirmPiles.disabled = v.step !== 'review' || busyWith('confirm') || page.failedCount() > 0;
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
    info.setAttribute('aria-expanded', String(page.sheet === card.id));
    return li;
  }

  function makeSortable(list, accepts) {
    return sortable(list, 'card', {
      group: { name: 'board', pull: true, put: accepts },
      filter: '.card-info',
      preventOnFilter: false,
      emptyInsertThreshold: 12,
      revertOnSpill: true, // let go outside the piles: the card goes back, nothing is sent
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
    else if (pile.querySelector('.drag-ghost')) markDropTarget(pile.querySelector('.pile-cards'));
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
      info.setAttribute('aria-expanded', String(page.sheet === id));
    }
    el.confirmTop.textContent = t('board_confirm_top', { chosen, size: top.size });
    el.confirmTop.disabled = chosen !== top.size || busyWith('confirm_top') || page.failedCount() > 0;
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
        from: move.from_label || label.get(move.from) || move.from,
        to: move.to_label || label.get(move.to) || move.to,
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

  // --- descriptions ----------------------------------------------------------------------

  function openSheet(cardId) {
    const v = view();
    const card = v && v.cards.find((c) => c.id === cardId);
    if (!card) return;
    el.sheetTitle.textContent = card.title;
    el.sheetText.textContent = card.description || '';
    el.sheetClose.textContent = t('board_close');
    page.openSheet(cardId, el.sheetClose);
    render();
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
      page.showNotice(t('board_tap_card_first'));
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
    if (!target || page.fatal) return;
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
  el.sheetClose.addEventListener('click', page.closeSheet);

  document.addEventListener('pointermove', trackPointer, { passive: true });
  document.addEventListener('touchmove', trackPointer, { passive: true });

  document.addEventListener('keydown', (evt) => {
    if (page.sheetKey(evt)) return;
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

  page.start();
  page.load();
})();
