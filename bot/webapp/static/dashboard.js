// The facilitator's dashboard: a Telegram Mini App page that shows a session live (who is
// where in the sort, the proposed or final tables, the plenary) and lets the facilitator
// propose tables, move people between them (drag and drop with SortableJS, or tap a person
// and then a table), seat everyone and ask for the session's report (it comes to their
// private chat, with names only when they tick the box). The server is the truth: it pushes the session's state
// over a text/event-stream read with fetch() (EventSource cannot send the Authorization
// header), every action is sent as it happens, and the page renders the state it receives.
// Every word comes from state.words (dashboard_* labels). What it shares with the sort board
// (the words, Telegram, sending the actions, notices, the sheet) is common.js's ValueCards.
(() => {
  'use strict';

  const VC = window.ValueCards;
  const { t, haptic, setBackButton, ready, authorization, isFatal, node, focusKey, sortable } = VC;
  const query = new URLSearchParams(location.search);
  const sessionId = query.get('s') || '';
  const base = location.pathname.replace(/\/dashboard\/?$/, '');
  const apiUrl = () => `${base}/api/dashboard?s=${encodeURIComponent(sessionId)}`;
  const streamUrl = `${base}/api/dashboard/stream?s=${encodeURIComponent(sessionId)}`;
  const STREAM_SILENCE_MS = 45000; // neither a frame nor a ping for this long: the stream is dead
  const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
  const SORT_STEPS = new Set(['sorting', 'review', 'top']);

  const $ = (id) => document.getElementById(id);
  const el = {
    app: $('app'),
    eyebrow: $('eyebrow'),
    live: $('live'),
    liveText: $('live-text'),
    title: $('title'),
    phase: $('phase'),
    report: $('report'),
    reportButton: $('report-button'),
    reportNames: $('report-names'),
    reportNamesText: $('report-names-text'),
    counts: $('counts'),
    viewMessage: $('view-message'),
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
    noticeRetry: $('notice-retry'),
    sheetTitle: $('sheet-title'),
    sheetText: $('sheet-text'),
    sheetCancel: $('sheet-cancel'),
    sheetConfirm: $('sheet-confirm'),
  };

  let state = null; // the last state the server sent
  let selected = null; // the person (user id) chosen for tap-to-move
  let pushes = 0;
  let dragging = false;
  let renderWanted = false;
  let filterText = '';
  let tablesKey = '';
  let plenaryKey = '';
  let countsKey = '';
  let sortables = [];
  const rows = new Map(); // user id -> the roster's row

  // --- talking to the server -------------------------------------------------------------

  // the page's frame (common.js): the actions sent in order, loading, notices, the message
  // that replaces the dashboard, and the sheet (it stands for the action it asks to confirm)
  const page = VC.page({
    words: 'dashboard',
    url: apiUrl,
    sheetButtons: [el.sheetConfirm, el.sheetCancel],
    state: () => state,
    accept,
    render,
    scheduleRender,
    wire,
    redundant,
    onMessage,
    onStop: closeStream,
    onReload: reconnectNow,
  });
  const busyWith = page.busyWith;

  function accept(next) {
    if (!next || typeof next !== 'object') return;
    state = next;
    VC.useWords(state);
  }

  // the action as the server knows it (our own bookkeeping left out)
  function wire(action) {
    if (action.action === 'move') return { action: 'move', user: action.user, table: action.table };
    if (action.action === 'report') return { action: 'report', names: action.names === true };
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
    if (page.fatal) return;
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
      if (stream === controller) page.stop({ status: response.status, data });
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
    if (page.fatal) return;
    setLive('reconnecting');
    const step = BACKOFF_MS[Math.min(streamAttempt, BACKOFF_MS.length - 1)];
    streamAttempt += 1;
    const wait = Math.round(step * (0.75 + Math.random() * 0.5));
    streamTimer = setTimeout(connect, wait);
  }

  function reconnectNow() {
    if (page.fatal || !state || stream || document.visibilityState === 'hidden') return;
    clearTimeout(streamTimer);
    connect();
  }

  // --- the state as it will be once the actions on their way have arrived ----------------

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
    const moves = page.pending().filter((a) => a.action === 'move');
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
    return new Set(page.pending().filter((a) => a.action === 'move').map((a) => a.user));
  }

  // --- a message instead of the dashboard -----------------------------------------------

  function onMessage() {
    el.app.dataset.view = 'message';
    el.sections.hidden = true;
    el.counts.hidden = true;
    el.phase.hidden = true;
    el.report.hidden = true;
    el.eyebrow.textContent = t('dashboard_title');
    el.title.textContent = t('dashboard_title');
    if (page.fatal) setLive('off');
  }

  // --- rendering -------------------------------------------------------------------------

  function scheduleRender() {
    if (dragging) renderWanted = true;
    else render();
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
    if (page.fatal || !state) return;
    const v = view();
    const key = focusKey();
    document.documentElement.lang = v.locale || '';
    document.title = v.title ? `${t('dashboard_title')} · ${v.title}` : t('dashboard_title');
    el.app.dataset.view = 'dashboard';
    el.app.dataset.phase = v.phase || '';
    el.app.dataset.pending = String(page.pending().length); // actions on their way (tests wait for 0)
    el.app.dataset.failed = String(page.failedCount());
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
    page.restoreFocus(key);
    setBackButton(!!page.sheet);
    ready();
  }

  function renderHead(v) {
    el.eyebrow.textContent = t('dashboard_title');
    el.title.textContent = v.title || t('dashboard_title');
    el.phase.textContent = v.phase_label || '';
    el.phase.hidden = !v.phase_label;
    // the report works at any stage: the button is there whenever a session is shown
    el.report.hidden = false;
    el.reportButton.textContent = t('dashboard_report');
    el.reportButton.disabled = busyWith('report');
    el.reportNamesText.textContent = t('dashboard_report_names');
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
    const busy = busyWith('propose') || busyWith('seat') || page.failedCount() > 0;
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
    return sortable(list, 'member', {
      group: { name: 'seating', pull, put: true },
      emptyInsertThreshold: 24,
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
    page.enqueue({ action: 'move', user, table: number });
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

  // --- the confirmation sheet ----------------------------------------------------------------

  function openSheet(action) {
    const proposing = action === 'propose';
    el.sheetTitle.textContent = t(proposing ? 'dashboard_propose_confirm_title' : 'dashboard_seat_confirm_title');
    el.sheetText.textContent = t(proposing ? 'dashboard_propose_confirm_text' : 'dashboard_seat_confirm_text');
    el.sheetConfirm.textContent = t(proposing ? 'dashboard_propose_confirm_yes' : 'dashboard_seat');
    el.sheetCancel.textContent = t('dashboard_cancel');
    page.openSheet(action, el.sheetConfirm);
  }

  function confirmSheet() {
    const action = page.sheet;
    page.closeSheet();
    if (action && !busyWith(action)) page.enqueue({ action });
  }

  // --- taps and keys -----------------------------------------------------------------------

  function select(user) {
    selected = selected === user ? null : user;
    haptic('select');
    render();
  }

  function onTableTap(number) {
    if (selected === null) {
      page.showNotice(t('dashboard_tap_person_first'));
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
    if (!target || page.fatal || !state || !state.seating || state.seating.state !== 'proposed') return;
    const pick = target.closest('[data-select]');
    if (pick) return select(Number(pick.dataset.select));
    const head = target.closest('[data-place]');
    if (head) return onTableTap(Number(head.dataset.place));
  });

  el.propose.addEventListener('click', () => {
    if (!state || busyWith('propose')) return;
    if (state.seating && state.seating.state === 'proposed') openSheet('propose');
    else page.enqueue({ action: 'propose' });
  });

  el.seat.addEventListener('click', () => {
    if (!state || busyWith('seat')) return;
    openSheet('seat');
  });

  el.reportButton.addEventListener('click', () => {
    if (!state || busyWith('report')) return;
    page.enqueue({ action: 'report', names: el.reportNames.checked });
  });

  el.selectCancel.addEventListener('click', () => {
    selected = null;
    render();
  });

  el.filter.addEventListener('input', () => {
    filterText = el.filter.value;
    if (state && !page.fatal) renderPeople(view());
  });

  el.sheetConfirm.addEventListener('click', confirmSheet);
  el.sheetCancel.addEventListener('click', page.closeSheet);

  document.addEventListener('keydown', (evt) => {
    if (page.sheetKey(evt)) return;
    if (evt.key === 'Escape' && selected !== null) {
      evt.preventDefault();
      selected = null;
      render();
    }
  });

  document.addEventListener('visibilitychange', reconnectNow);
  window.addEventListener('online', reconnectNow);

  // --- start -------------------------------------------------------------------------------

  page.start();
  setLive('off');
  page.load().then((ok) => {
    if (ok) connect();
  });
})();
