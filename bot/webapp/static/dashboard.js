// The facilitator's dashboard: a Telegram Mini App page that shows a session live (who is
// where in the sort, the proposed or final tables, the plenary) and lets the facilitator
// propose tables, move people between them (drag and drop with SortableJS, or tap a person
// and then a table) and seat everyone. The server is the truth: it pushes the session's state
// over a text/event-stream read with fetch() (EventSource cannot send the Authorization
// header), every action is sent as it happens, and the page renders the state it receives.
// Every word comes from state.words (dashboard_* labels).
(() => {
  'use strict';

  const wa = (window.Telegram && window.Telegram.WebApp) || null;
  const query = new URLSearchParams(location.search);
  const sessionId = query.get('s') || '';
  const base = location.pathname.replace(/\/dashboard\/?$/, '');
  const apiUrl = `${base}/api/dashboard?s=${encodeURIComponent(sessionId)}`;
  const streamUrl = `${base}/api/dashboard/stream?s=${encodeURIComponent(sessionId)}`;
  const REQUEST_TIMEOUT_MS = 15000;
  const STREAM_SILENCE_MS = 45000; // neither a frame nor a ping for this long: the stream is dead
  const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
  const NOTICE_MS = 4500;
  const SORT_STEPS = new Set(['sorting', 'review', 'top']);

  const $ = (id) => document.getElementById(id);
  const el = {
    app: $('app'),
    eyebrow: $('eyebrow'),
    live: $('live'),
    liveText: $('live-text'),
    title: $('title'),
    phase: $('phase'),
    counts: $('counts'),
    viewMessage: $('view-message'),
    message: $('message'),
    reload: $('reload'),
    sections: $('sections'),
    seating: $('seating'),
    seatingTitle: $('seating-title'),
    seatingText: $('seating-text'),
    propose: $('propose'),
    seat: $('seat'),
    selectBar: $('select-bar'),
    selectText: $('select-text'),
    selectCancel: $('select-cancel'),
    tables: $('tables'),
    plenary: $('plenary'),
    plenaryTitle: $('plenary-title'),
    plenaryTables: $('plenary-tables'),
    chart: $('chart'),
    chartImg: $('chart-img'),
    people: $('people'),
    peopleTitle: $('people-title'),
    peopleCount: $('people-count'),
    filter: $('filter'),
    filterLabel: $('filter-label'),
    roster: $('roster'),
    rosterEmpty: $('roster-empty'),
    notice: $('notice'),
    noticeText: $('notice-text'),
    noticeRetry: $('notice-retry'),
    sheet: $('sheet'),
    sheetBackdrop: $('sheet-backdrop'),
    sheetTitle: $('sheet-title'),
    sheetText: $('sheet-text'),
    sheetCancel: $('sheet-cancel'),
    sheetConfirm: $('sheet-confirm'),
  };

  let state = null; // the last state the server sent
  let words = {};
  let fatal = false; // 401/403/404: nothing more to do on this page
  let selected = null; // the person (user id) chosen for tap-to-move
  let queue = []; // actions not sent yet, in order
  let inflight = null; // the action being sent
  let failed = []; // actions that did not reach the server: offered again
  let pumping = false;
  let answers = 0;
  let pushes = 0;
  let dragging = false;
  let renderWanted = false;
  let noticeTimer = 0;
  let sheetAction = null; // the action the open confirmation sheet stands for
  let sheetReturnFocus = null;
  let filterText = '';
  let tablesKey = '';
  let plenaryKey = '';
  let countsKey = '';
  let sortables = [];
  const rows = new Map(); // user id -> the roster's row

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

  function authorization() {
    return `tma ${(wa && wa.initData) || ''}`;
  }

  // --- talking to the server -------------------------------------------------------------

  class NetworkError extends Error {}

  async function call(method, action) {
    const headers = { Authorization: authorization() };
    const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
    if (action) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(action);
    }
    const controller = new AbortController();
    init.signal = controller.signal;
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    let response;
    let data = null;
    try {
      response = await fetch(apiUrl, init);
      try {
        data = await response.json();
      } catch (err) {
        data = null;
      }
    } catch (err) {
      throw new NetworkError(String(err));
    } finally {
      clearTimeout(timer);
    }
    return { status: response.status, data };
  }

  function messageOf(reply) {
    return reply && reply.data && typeof reply.data.message === 'string' ? reply.data.message : '';
  }

  function isFatal(status) {
    return status === 401 || status === 403 || status === 404;
  }

  function accept(next) {
    if (!next || typeof next !== 'object') return;
    state = next;
    if (state.words && typeof state.words === 'object') words = state.words;
  }

  function stop(reply) {
    fatal = true;
    queue = [];
    failed = [];
    closeStream();
    showMessage(messageOf(reply) || t('dashboard_error'), false);
  }

  async function load() {
    let reply;
    try {
      reply = await call('GET');
    } catch (err) {
      if (state) showRetry();
      else showMessage(t('dashboard_load_failed'), true);
      return false;
    }
    if (reply.status === 200 && reply.data && reply.data.state) {
      accept(reply.data.state);
      if (reply.data.notice) showNotice(reply.data.notice);
      render();
      return true;
    }
    if (isFatal(reply.status)) stop(reply);
    else if (state) showRetry();
    else showMessage(messageOf(reply) || t('dashboard_load_failed'), true);
    return false;
  }

  // the action as the server knows it (our own bookkeeping left out)
  function wire(action) {
    if (action.action === 'move') return { action: 'move', user: action.user, table: action.table };
    return { action: action.action };
  }

  // an action the last state already shows, or one that no longer means anything
  function redundant(action) {
    if (!state) return false;
    const seating = state.seating || { state: 'none', tables: [] };
    if (action.action === 'move') {
      if (seating.state !== 'proposed') return true;
      const at = seating.tables.find((table) => table.members.includes(action.user));
      return !at || at.number === action.table;
    }
    if (action.action === 'seat') return seating.state === 'seated';
    return false;
  }

  function enqueue(action) {
    if (fatal) return;
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
      scheduleRender();
      let reply;
      try {
        reply = await call('POST', wire(action));
      } catch (err) {
        reply = null;
      }
      inflight = null;
      answers += 1;
      el.app.dataset.answers = String(answers); // actions answered or failed (tests count them)
      if (reply && reply.status === 200 && reply.data && reply.data.state) {
        accept(reply.data.state);
        if (reply.data.notice) showNotice(reply.data.notice);
      } else if (reply && isFatal(reply.status)) {
        stop(reply);
      } else if (reply && reply.status === 400) {
        // the server refused: say why; the page shows what the server holds
        showNotice(messageOf(reply) || t('dashboard_error'));
        haptic('error');
      } else {
        // no answer (network) or a server fault: shown undone, offered again
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

  // --- the live stream -------------------------------------------------------------------

  let stream = null; // the AbortController of the open (or opening) stream
  let streamAttempt = 0;
  let streamTimer = 0;
  let silenceTimer = 0;

  function setLive(mode) {
    el.live.dataset.live = mode;
    el.app.dataset.live = mode; // tests wait for "live"
    el.liveText.textContent =
      mode === 'live' ? t('dashboard_live') : mode === 'reconnecting' ? t('dashboard_reconnecting') : '';
  }

  // Server-sent events, parsed as the HTML standard says: lines end at CRLF, LF or CR; a blank
  // line dispatches the event; "field: value" (one space after the colon dropped); lines
  // starting with ":" are comments (the server's pings).
  function eventParser(dispatch, alive) {
    let buffer = '';
    let type = '';
    let data = [];
    function line(text) {
      if (text === '') {
        if (data.length) dispatch(type || 'message', data.join('\n'));
        type = '';
        data = [];
        return;
      }
      if (text[0] === ':') {
        alive();
        return;
      }
      const colon = text.indexOf(':');
      const field = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? '' : text.slice(colon + 1);
      if (value[0] === ' ') value = value.slice(1);
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      // "id" and "retry" are not used: the page asks for the whole state again on reconnecting
    }
    return (chunk) => {
      buffer += chunk;
      const ends = /\r\n|\n|\r/g;
      let start = 0;
      let match;
      while ((match = ends.exec(buffer)) !== null) {
        // a CR at the very end may be the first half of a CRLF: wait for the next chunk
        if (match[0] === '\r' && match.index === buffer.length - 1) break;
        line(buffer.slice(start, match.index));
        start = match.index + match[0].length;
      }
      buffer = buffer.slice(start);
    };
  }

  function onStreamEvent(type, data) {
    if (type !== 'state') return;
    let next;
    try {
      next = JSON.parse(data);
    } catch (err) {
      return;
    }
    if (!next || typeof next !== 'object' || !next.seating) return;
    streamAttempt = 0;
    pushes += 1;
    el.app.dataset.pushes = String(pushes); // states pushed by the server (tests count them)
    accept(next);
    setLive('live');
    scheduleRender();
  }

  function closeStream() {
    clearTimeout(streamTimer);
    clearTimeout(silenceTimer);
    if (stream) {
      const controller = stream;
      stream = null;
      controller.abort();
    }
  }

  // a promise whose failure means nothing more (cancelling a stream that already broke)
  function quietly(start) {
    try {
      Promise.resolve(start()).catch(() => {});
    } catch (err) {
      // nothing to cancel
    }
  }

  function armSilence(controller) {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => controller.abort(), STREAM_SILENCE_MS);
  }

  async function connect() {
    if (fatal) return;
    closeStream();
    const controller = new AbortController();
    stream = controller;
    armSilence(controller);
    let response;
    try {
      response = await fetch(streamUrl, {
        headers: { Authorization: authorization(), Accept: 'text/event-stream' },
        cache: 'no-store',
        credentials: 'same-origin',
        signal: controller.signal,
      });
    } catch (err) {
      dropped(controller);
      return;
    }
    if (stream !== controller) return;
    if (isFatal(response.status)) {
      let data = null;
      try {
        data = await response.json();
      } catch (err) {
        data = null;
      }
      if (stream === controller) stop({ status: response.status, data });
      return;
    }
    const kind = response.headers.get('Content-Type') || '';
    if (!response.ok || !response.body || !kind.startsWith('text/event-stream')) {
      if (response.body) quietly(() => response.body.cancel());
      dropped(controller);
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const feed = eventParser(onStreamEvent, () => {});
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || stream !== controller) break;
        armSilence(controller);
        feed(decoder.decode(value, { stream: true }));
      }
    } catch (err) {
      // aborted (silence, a new connection) or the network dropped
    }
    quietly(() => reader.cancel());
    dropped(controller);
  }

  function dropped(controller) {
    if (stream !== controller) return; // a newer connection took over, or the page stopped
    stream = null;
    clearTimeout(silenceTimer);
    if (fatal) return;
    setLive('reconnecting');
    const step = BACKOFF_MS[Math.min(streamAttempt, BACKOFF_MS.length - 1)];
    streamAttempt += 1;
    const wait = Math.round(step * (0.75 + Math.random() * 0.5));
    streamTimer = setTimeout(connect, wait);
  }

  function reconnectNow() {
    if (fatal || !state || stream || document.visibilityState === 'hidden') return;
    clearTimeout(streamTimer);
    connect();
  }

  // --- the state as it will be once the actions on their way have arrived ----------------

  function pending() {
    return inflight ? [inflight, ...queue] : queue.slice();
  }

  function busyWith(kind) {
    return pending().some((a) => a.action === kind);
  }

  // tables after moving ``user`` to table ``number``; a table left empty closes and the
  // tables are numbered 1..n again, as the server does
  function moved(tables, user, number) {
    const from = tables.find((table) => table.members.includes(user));
    if (!from || from.number === number) return tables;
    let out = tables.map((table) => ({
      number: table.number,
      members: table.members.filter((member) => member !== user),
    }));
    let to = out.find((table) => table.number === number);
    if (!to) {
      to = { number, members: [] };
      out.push(to);
    }
    to.members.push(user);
    out = out.filter((table) => table.members.length).sort((a, b) => a.number - b.number);
    return out.map((table, index) => ({ number: index + 1, members: table.members }));
  }

  function view() {
    if (!state) return null;
    const seating = state.seating || { state: 'none', tables: [] };
    const moves = pending().filter((a) => a.action === 'move');
    if (!moves.length || seating.state !== 'proposed') return state;
    let tables = seating.tables;
    for (const move of moves) tables = moved(tables, move.user, move.table);
    const tableOf = new Map();
    for (const table of tables) for (const user of table.members) tableOf.set(user, table.number);
    const people = (state.people || []).map((p) =>
      tableOf.has(p.user) && tableOf.get(p.user) !== p.table
        ? Object.assign({}, p, { table: tableOf.get(p.user) })
        : p,
    );
    return Object.assign({}, state, {
      people,
      seating: Object.assign({}, seating, { tables }),
    });
  }

  function pendingUsers() {
    return new Set(pending().filter((a) => a.action === 'move').map((a) => a.user));
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
    el.noticeText.textContent = t('dashboard_retry_notice');
    el.noticeRetry.textContent = t('dashboard_retry');
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
    el.app.dataset.view = 'message';
    el.app.setAttribute('aria-busy', 'false');
    el.sections.hidden = true;
    el.counts.hidden = true;
    el.phase.hidden = true;
    el.eyebrow.textContent = t('dashboard_title');
    el.title.textContent = t('dashboard_title');
    el.message.textContent = text;
    el.reload.hidden = !canReload;
    // before the first answer the page has no words: the reload button is a symbol then
    el.reload.textContent = t('dashboard_reload') || '⟳';
    el.viewMessage.hidden = false;
    if (fatal) setLive('off');
    closeSheet();
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
    if (!key || sheetAction) return;
    const target = document.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    if (target && document.activeElement !== target) target.focus({ preventScroll: true });
  }

  function collator() {
    try {
      return new Intl.Collator((state && state.locale) || undefined, { sensitivity: 'base' });
    } catch (err) {
      return new Intl.Collator();
    }
  }

  function render() {
    renderWanted = false;
    if (fatal || !state) return;
    const v = view();
    const key = focusKey();
    document.documentElement.lang = v.locale || '';
    document.title = v.title ? `${t('dashboard_title')} · ${v.title}` : t('dashboard_title');
    el.app.dataset.view = 'dashboard';
    el.app.dataset.phase = v.phase || '';
    el.app.dataset.pending = String(pending().length); // actions on their way (tests wait for 0)
    el.app.dataset.failed = String(failed.length);
    el.app.setAttribute('aria-busy', 'false');
    el.viewMessage.hidden = true;
    el.sections.hidden = false;
    el.noticeRetry.textContent = t('dashboard_retry');
    setLive(el.live.dataset.live || 'off');

    const people = new Map((v.people || []).map((p) => [p.user, p]));
    const seating = v.seating || { state: 'none', tables: [] };
    if (selected !== null && (seating.state !== 'proposed' || !people.has(selected))) selected = null;
    el.app.classList.toggle('selecting', selected !== null);

    renderHead(v);
    renderSeating(v, seating, people);
    renderPlenary(v.plenary);
    renderPeople(v);
    restoreFocus(key);
    setBackButton(!!sheetAction);
    ready();
  }

  function renderHead(v) {
    el.eyebrow.textContent = t('dashboard_title');
    el.title.textContent = v.title || t('dashboard_title');
    el.phase.textContent = v.phase_label || '';
    el.phase.hidden = !v.phase_label;
    const counts = v.counts || {};
    const shown = [
      ['joined', 'dashboard_count_joined'],
      ['consented', 'dashboard_count_consented'],
      ['sorting', 'dashboard_count_sorting'],
      ['with_top', 'dashboard_count_with_top'],
    ];
    const key = JSON.stringify([counts, shown.map(([, label]) => t(label))]);
    el.counts.hidden = false;
    if (key === countsKey) return;
    countsKey = key;
    el.counts.textContent = '';
    for (const [name, label] of shown) {
      const box = node('div', 'count');
      box.dataset.testid = `count-${name}`;
      box.append(node('dt', '', t(label)), node('dd', '', String(counts[name] || 0)));
      el.counts.append(box);
    }
  }

  // --- who is where ------------------------------------------------------------------------

  function fold(text) {
    return String(text || '')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
  }

  // sorting on the board now (once sorted, where they sorted no longer matters)
  function onBoard(person) {
    return !!person.on_board && SORT_STEPS.has(person.step);
  }

  function matches(person, wanted) {
    if (!wanted) return true;
    const table = person.table ? t('dashboard_table', { number: person.table }) : '';
    const marks = [
      person.straggling ? t('dashboard_straggling') : '',
      onBoard(person) ? t('dashboard_on_board') : '',
    ];
    const hay = fold([person.name, person.organisation, person.step_label, table, ...marks].join('\n'));
    return wanted.split(/\s+/).every((part) => hay.includes(part));
  }

  function renderPeople(v) {
    el.peopleTitle.textContent = t('dashboard_people_title');
    el.filterLabel.textContent = t('dashboard_filter_label');
    el.filter.placeholder = t('dashboard_filter');
    const order = collator();
    const everyone = (v.people || []).slice().sort(
      (a, b) =>
        Number(!!b.straggling) - Number(!!a.straggling) ||
        order.compare(a.name || '', b.name || '') ||
        a.user - b.user,
    );
    const wanted = fold(filterText.trim());
    const shown = everyone.filter((p) => matches(p, wanted));
    el.peopleCount.textContent = wanted
      ? t('dashboard_people_shown', { shown: shown.length, total: everyone.length })
      : t('dashboard_people_total', { total: everyone.length });
    const waiting = pendingUsers();
    const keep = new Set();
    shown.forEach((person, index) => {
      let row = rows.get(person.user);
      if (!row) {
        row = makeRow(person);
        rows.set(person.user, row);
      }
      updateRow(row, person, waiting.has(person.user));
      keep.add(person.user);
      const at = el.roster.children[index];
      if (at !== row) el.roster.insertBefore(row, at || null);
    });
    for (const [user, row] of rows) {
      if (!keep.has(user)) {
        row.remove();
        if (!(v.people || []).some((p) => p.user === user)) rows.delete(user);
      }
    }
    el.rosterEmpty.hidden = shown.length > 0;
    el.rosterEmpty.textContent = everyone.length
      ? t('dashboard_filter_none', { query: filterText.trim() })
      : t('dashboard_people_empty');
  }

  function makeRow(person) {
    const li = node('li', 'person');
    li.dataset.user = String(person.user);
    li.dataset.testid = `person-${person.user}`;
    const who = node('div', 'person-who');
    who.append(node('span', 'person-name'), node('span', 'person-org'));
    const marks = node('div', 'person-marks');
    marks.append(
      node('span', 'mark mark-straggling'),
      node('span', 'mark mark-board'),
      node('span', 'mark mark-table'),
    );
    const bar = node('span', 'bar');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.append(node('span', 'bar-fill'));
    li.append(who, marks, node('span', 'person-step'), node('span', 'person-count'), bar);
    return li;
  }

  function updateRow(li, person, waiting) {
    const cards = Number(person.cards) || 0;
    const done = Math.min(Number(person.cards_done) || 0, cards);
    li.dataset.straggling = String(!!person.straggling);
    li.dataset.board = String(onBoard(person));
    li.dataset.step = person.step || '';
    li.dataset.complete = String(cards > 0 && done >= cards);
    li.dataset.pending = String(waiting);
    li.dataset.table = person.table ? String(person.table) : '';
    li.querySelector('.person-name').textContent = person.name || '';
    const org = li.querySelector('.person-org');
    org.textContent = person.organisation || '';
    org.hidden = !person.organisation;
    const straggling = li.querySelector('.mark-straggling');
    straggling.textContent = t('dashboard_straggling');
    straggling.hidden = !person.straggling;
    const board = li.querySelector('.mark-board');
    board.textContent = t('dashboard_on_board');
    board.hidden = !onBoard(person);
    const table = li.querySelector('.mark-table');
    table.textContent = person.table ? t('dashboard_table', { number: person.table }) : '';
    table.hidden = !person.table;
    li.querySelector('.person-step').textContent = person.step_label || '';
    const count = li.querySelector('.person-count');
    count.textContent = cards ? t('dashboard_cards_count', { done, total: cards }) : '';
    const bar = li.querySelector('.bar');
    bar.setAttribute('aria-valuemax', String(cards));
    bar.setAttribute('aria-valuenow', String(done));
    bar.setAttribute('aria-label', cards ? t('dashboard_cards_label', { done, total: cards }) : '');
    const share = cards > 0 ? Math.round((100 * done) / cards) : 0;
    bar.firstChild.style.width = `${share}%`;
  }

  // --- seating -----------------------------------------------------------------------------

  function renderSeating(v, seating, people) {
    const proposed = seating.state === 'proposed';
    const can = v.can || {};
    el.seating.dataset.state = seating.state;
    el.seatingTitle.textContent = t('dashboard_seating_title');
    const text = {
      none: can.propose ? 'dashboard_seating_ready' : 'dashboard_seating_none',
      proposed: 'dashboard_seating_proposed',
      seated: 'dashboard_seating_seated',
    }[seating.state];
    el.seatingText.textContent = text ? t(text) : '';
    const busy = busyWith('propose') || busyWith('seat') || failed.length > 0;
    el.propose.hidden = !can.propose;
    el.propose.textContent = t(proposed ? 'dashboard_propose_again' : 'dashboard_propose');
    el.propose.disabled = busy;
    el.seat.hidden = !can.seat;
    el.seat.textContent = t('dashboard_seat');
    el.seat.disabled = busy || busyWith('move');

    const chosen = selected !== null ? people.get(selected) : null;
    el.selectBar.hidden = !chosen;
    el.selectText.textContent = chosen ? t('dashboard_selected_hint', { name: chosen.name }) : '';
    el.selectCancel.textContent = t('dashboard_cancel');

    const order = collator();
    const nameOf = (user) => (people.get(user) || {}).name || String(user);
    const tables = (seating.state === 'none' ? [] : seating.tables || []).map((table) => ({
      number: table.number,
      members: table.members.slice().sort((a, b) => order.compare(nameOf(a), nameOf(b)) || a - b),
    }));
    const drawn = tables.map((table) => ({
      number: table.number,
      members: table.members.map((user) => {
        const p = people.get(user) || {};
        return [user, p.name || String(user), p.organisation || ''];
      }),
    }));
    const key = JSON.stringify([
      seating.state,
      drawn,
      t('dashboard_table', { number: '#' }),
      t('dashboard_new_table'),
    ]);
    if (key !== tablesKey) {
      tablesKey = key;
      buildTables(seating.state, drawn);
    }
    const waiting = pendingUsers();
    for (const member of el.tables.querySelectorAll('.member')) {
      const user = Number(member.dataset.user);
      const on = user === selected;
      member.classList.toggle('selected', on);
      member.dataset.pending = String(waiting.has(user));
      const main = member.querySelector('.member-main');
      if (proposed) main.setAttribute('aria-pressed', String(on));
    }
    for (const head of el.tables.querySelectorAll('[data-place]')) {
      const number = Number(head.dataset.place);
      const here = !!chosen && chosen.table === number;
      head.classList.toggle('current', here);
      const name = head.dataset.isNew === 'true' ? t('dashboard_new_table') : t('dashboard_table', { number });
      head.setAttribute(
        'aria-label',
        chosen ? t('dashboard_move_person', { name: chosen.name, table: name }) : name,
      );
    }
  }

  function buildTables(seatingState, tables) {
    for (const s of sortables) s.destroy();
    sortables = [];
    el.tables.textContent = '';
    const proposed = seatingState === 'proposed';
    for (const table of tables) {
      el.tables.append(makeTable(table.number, table.members, proposed, false));
    }
    if (proposed) el.tables.append(makeTable(tables.length + 1, [], true, true));
  }

  function makeTable(number, members, proposed, isNew) {
    const box = node('section', isNew ? 'table table-new' : 'table');
    box.dataset.table = String(number);
    box.dataset.testid = isNew ? 'new-table' : `table-${number}`;
    const name = isNew ? t('dashboard_new_table') : t('dashboard_table', { number });
    const head = node(proposed ? 'button' : 'div', 'table-head');
    if (proposed) {
      head.type = 'button';
      head.dataset.place = String(number);
      head.dataset.isNew = String(isNew);
      head.dataset.focus = isNew ? 'table:new' : `table:${number}`;
      head.dataset.testid = isNew ? 'place-new' : `place-${number}`;
    }
    head.append(node('span', 'table-name', name));
    if (!isNew) {
      const size = node('span', 'table-size', String(members.length));
      size.setAttribute('aria-hidden', 'true');
      head.append(size);
    }
    if (proposed) head.append(node('span', 'table-place', t('dashboard_move_here')));
    const list = node('ul', 'members');
    list.dataset.table = String(number);
    if (isNew) list.dataset.empty = t('dashboard_new_table_hint');
    for (const [user, personName, organisation] of members) {
      const li = node('li', 'member');
      li.dataset.user = String(user);
      li.dataset.testid = `member-${user}`;
      const main = node(proposed ? 'button' : 'div', 'member-main');
      if (proposed) {
        main.type = 'button';
        main.dataset.select = String(user);
        main.dataset.focus = `member:${user}`;
      }
      main.append(node('span', 'member-name', personName));
      if (organisation) main.append(node('span', 'member-org', organisation));
      li.append(main);
      list.append(li);
    }
    box.append(head, list);
    if (proposed) sortables.push(makeSortable(list, !isNew));
    return box;
  }

  function makeSortable(list, pull) {
    if (typeof window.Sortable !== 'function') return { destroy() {} };
    return window.Sortable.create(list, {
      group: { name: 'seating', pull, put: true },
      sort: false,
      draggable: '.member',
      animation: 150,
      forceFallback: true,
      fallbackOnBody: true,
      fallbackTolerance: 4,
      delay: 160,
      delayOnTouchOnly: true,
      touchStartThreshold: 6,
      emptyInsertThreshold: 24,
      scroll: true,
      scrollSensitivity: 70,
      scrollSpeed: 12,
      bubbleScroll: true,
      ghostClass: 'member-ghost',
      chosenClass: 'member-chosen',
      dragClass: 'member-drag',
      fallbackClass: 'member-fallback',
      onStart() {
        dragging = true;
        el.app.classList.add('dragging');
      },
      onEnd(evt) {
        dragging = false;
        el.app.classList.remove('dragging');
        const user = evt.item ? Number(evt.item.dataset.user) : NaN;
        const number = evt.to && evt.to.dataset.table ? Number(evt.to.dataset.table) : NaN;
        // Sortable moved the element already; the page draws the tables again from its state
        setTimeout(() => {
          if (evt.from !== evt.to && Number.isInteger(user) && Number.isInteger(number)) {
            if (selected === user) selected = null;
            haptic('drop');
            moveTo(user, number);
          } else {
            forceRedraw();
          }
        }, 0);
      },
    });
  }

  function forceRedraw() {
    tablesKey = '';
    render();
  }

  function moveTo(user, number) {
    const v = view();
    const seating = v && v.seating;
    if (!seating || seating.state !== 'proposed') return forceRedraw();
    const at = seating.tables.find((table) => table.members.includes(user));
    if (!at || at.number === number) return forceRedraw();
    enqueue({ action: 'move', user, table: number });
  }

  // --- plenary -----------------------------------------------------------------------------

  function renderPlenary(plenary) {
    el.plenary.hidden = !plenary;
    if (!plenary) {
      plenaryKey = '';
      return;
    }
    el.plenaryTitle.textContent = t('dashboard_plenary_title');
    const key = JSON.stringify([plenary, t('dashboard_table', { number: '#' }), t('dashboard_no_cards')]);
    if (key === plenaryKey) return;
    plenaryKey = key;
    el.plenaryTables.textContent = '';
    for (const table of plenary.tables || []) {
      const box = node('article', 'outcome');
      box.dataset.table = String(table.number);
      box.dataset.testid = `outcome-${table.number}`;
      box.append(node('h3', 'outcome-name', t('dashboard_table', { number: table.number })));
      if (table.outcome) box.append(node('p', 'outcome-text', table.outcome));
      const cards = table.cards || [];
      if (cards.length) {
        const list = node('ol', 'outcome-cards');
        for (const card of cards) list.append(node('li', 'outcome-card', card));
        box.append(list);
      } else if (!table.outcome) {
        box.append(node('p', 'outcome-text', t('dashboard_no_cards')));
      }
      if (table.note) box.append(node('p', 'outcome-note', table.note));
      el.plenaryTables.append(box);
    }
    const chart = typeof plenary.chart === 'string' && plenary.chart.startsWith('data:image/') ? plenary.chart : '';
    el.chart.hidden = !chart;
    if (chart) {
      if (el.chartImg.getAttribute('src') !== chart) el.chartImg.src = chart;
      el.chartImg.alt = t('dashboard_chart_alt');
    } else {
      el.chartImg.removeAttribute('src');
    }
  }

  let readyCalled = false;
  function ready() {
    if (readyCalled || !wa) return;
    readyCalled = true;
    tgCall(() => wa.ready());
  }

  // --- the confirmation sheet ----------------------------------------------------------------

  function openSheet(action) {
    const proposing = action === 'propose';
    sheetReturnFocus = document.activeElement;
    sheetAction = action;
    el.sheetTitle.textContent = t(proposing ? 'dashboard_propose_confirm_title' : 'dashboard_seat_confirm_title');
    el.sheetText.textContent = t(proposing ? 'dashboard_propose_confirm_text' : 'dashboard_seat_confirm_text');
    el.sheetConfirm.textContent = t(proposing ? 'dashboard_propose_confirm_yes' : 'dashboard_seat');
    el.sheetCancel.textContent = t('dashboard_cancel');
    el.sheet.hidden = false;
    el.sheetBackdrop.hidden = false;
    document.body.classList.add('sheet-open');
    el.sheetConfirm.focus();
    setBackButton(true);
  }

  function closeSheet() {
    if (!sheetAction) return;
    sheetAction = null;
    el.sheet.hidden = true;
    el.sheetBackdrop.hidden = true;
    document.body.classList.remove('sheet-open');
    setBackButton(false);
    const back = sheetReturnFocus;
    sheetReturnFocus = null;
    if (back && document.contains(back) && !back.disabled) back.focus({ preventScroll: true });
  }

  function confirmSheet() {
    const action = sheetAction;
    closeSheet();
    if (action && !busyWith(action)) enqueue({ action });
  }

  // --- taps and keys -----------------------------------------------------------------------

  function select(user) {
    selected = selected === user ? null : user;
    haptic('select');
    render();
  }

  function onTableTap(number) {
    if (selected === null) {
      showNotice(t('dashboard_tap_person_first'));
      return;
    }
    const user = selected;
    selected = null;
    haptic('drop');
    moveTo(user, number);
    render();
  }

  el.tables.addEventListener('click', (evt) => {
    const target = evt.target instanceof Element ? evt.target : null;
    if (!target || fatal || !state || !state.seating || state.seating.state !== 'proposed') return;
    const pick = target.closest('[data-select]');
    if (pick) return select(Number(pick.dataset.select));
    const head = target.closest('[data-place]');
    if (head) return onTableTap(Number(head.dataset.place));
  });

  el.propose.addEventListener('click', () => {
    if (!state || busyWith('propose')) return;
    if (state.seating && state.seating.state === 'proposed') openSheet('propose');
    else enqueue({ action: 'propose' });
  });

  el.seat.addEventListener('click', () => {
    if (!state || busyWith('seat')) return;
    openSheet('seat');
  });

  el.selectCancel.addEventListener('click', () => {
    selected = null;
    render();
  });

  el.filter.addEventListener('input', () => {
    filterText = el.filter.value;
    if (state && !fatal) renderPeople(view());
  });

  el.noticeRetry.addEventListener('click', () => retry());
  el.reload.addEventListener('click', async () => {
    el.reload.hidden = true;
    if (await load()) reconnectNow();
  });
  el.sheetConfirm.addEventListener('click', confirmSheet);
  el.sheetCancel.addEventListener('click', closeSheet);
  el.sheetBackdrop.addEventListener('click', closeSheet);

  document.addEventListener('keydown', (evt) => {
    if (sheetAction) {
      if (evt.key === 'Escape') {
        evt.preventDefault();
        closeSheet();
      } else if (evt.key === 'Tab') {
        evt.preventDefault();
        const next = document.activeElement === el.sheetConfirm ? el.sheetCancel : el.sheetConfirm;
        next.focus();
      }
      return;
    }
    if (evt.key === 'Escape' && selected !== null) {
      evt.preventDefault();
      selected = null;
      render();
    }
  });

  document.addEventListener('visibilitychange', reconnectNow);
  window.addEventListener('online', reconnectNow);

  // --- start -------------------------------------------------------------------------------

  if (wa) {
    tgCall(() => wa.expand());
    if (tgAtLeast('7.7')) tgCall(() => wa.disableVerticalSwipes()); // a drag is not a swipe away
    applyTheme();
    tgCall(() => wa.onEvent('themeChanged', applyTheme));
    if (wa.BackButton) tgCall(() => wa.BackButton.onClick(closeSheet));
  }
  setLive('off');
  load().then((ok) => {
    if (ok) connect();
  });
})();
