// What the two pages of the Mini App share, the sort board (board.js) and the facilitator's
// dashboard (dashboard.js): their words, Telegram's WebApp (theme, haptics, the back button),
// the fetch wrapper, drag and drop's settings, and the frame of a page (ValueCards.page):
// actions sent to the server one at a time, loading, sending again what did not arrive,
// notices, the message that replaces the page, and the sheet. A plain script that defines
// window.ValueCards; each page loads it after Telegram's script and SortableJS and before its
// own script.
window.ValueCards = (() => {
  'use strict';

  const wa = (window.Telegram && window.Telegram.WebApp) || null;
  const REQUEST_TIMEOUT_MS = 15000;
  const NOTICE_MS = 4500;

  // --- words -----------------------------------------------------------------------------

  let words = {};

  // the words a state carries (every state the server sends has them)
  function useWords(state) {
    if (state && state.words && typeof state.words === 'object') words = state.words;
  }

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

  let readyCalled = false;
  function ready() {
    if (readyCalled || !wa) return;
    readyCalled = true;
    tgCall(() => wa.ready());
  }

  // --- talking to the server -------------------------------------------------------------

  function authorization() {
    return `tma ${(wa && wa.initData) || ''}`;
  }

  class NetworkError extends Error {}

  // one request: { status, data } (data null when the answer is not JSON); NetworkError when
  // no answer came (offline, refused, or none within REQUEST_TIMEOUT_MS)
  async function call(url, method, action) {
    const headers = { Authorization: authorization() };
    const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
    if (action) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(action);
    }
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    if (controller) init.signal = controller.signal;
    const timer = controller ? setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS) : 0;
    let response;
    let data = null;
    try {
      response = await fetch(url, init);
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

  // 401/403/404: nothing more to do on this page
  function isFatal(status) {
    return status === 401 || status === 403 || status === 404;
  }

  // --- the page's elements ---------------------------------------------------------------

  function node(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }

  // what has the focus, by its data-focus (a render may replace the element itself)
  function focusKey() {
    const active = document.activeElement;
    return active && active.dataset ? active.dataset.focus || '' : '';
  }

  // --- drag and drop ---------------------------------------------------------------------

  // SortableJS as both pages use it: no order within a list, its own drag copy on the body
  // (the same on touch and mouse), a touch drag only after holding a moment (a swipe still
  // scrolls), and the page scrolled near its edges. ``item``: the class of what is dragged.
  // The drag's states carry the classes common.css draws: .drag-chosen (picked up),
  // .drag-ghost (the item in its list while its copy moves), .drag-copy (the copy).
  function sortable(list, item, options) {
    if (typeof window.Sortable !== 'function') return { destroy() {} };
    return window.Sortable.create(
      list,
      Object.assign(
        {
          sort: false,
          draggable: `.${item}`,
          animation: 150,
          forceFallback: true,
          fallbackOnBody: true,
          fallbackTolerance: 4,
          delay: 160,
          delayOnTouchOnly: true,
          touchStartThreshold: 6,
          scroll: true,
          scrollSensitivity: 70,
          scrollSpeed: 12,
          bubbleScroll: true,
          ghostClass: 'drag-ghost',
          chosenClass: 'drag-chosen',
          dragClass: 'drag-copy',
          fallbackClass: 'drag-copy',
        },
        options,
      ),
    );
  }

  // --- the frame of a page ---------------------------------------------------------------

  // The server is the truth: the page sends each action as it happens, one at a time and in
  // order, and draws the state the server answers. An action that does not arrive (no answer
  // or a server fault) is offered again with the actions after it; one the server refuses
  // (400) is said in a notice; 401/403/404 end the page with the server's message.
  //
  // The page's markup has the elements the frame draws, by these ids: app, notice,
  // notice-text, notice-retry, view-message, message, reload, sheet, sheet-backdrop. #app
  // carries data-answers: the actions answered or failed (tests count them).
  //
  // config: the page's part.
  //   words      the prefix of its words: `${words}_error`, _load_failed, _retry_notice,
  //              _retry, _reload
  //   url()      its API's address
  //   sheetButtons  the sheet's buttons, in the order Tab goes through them
  //   state()    the state it holds (null before the first answer)
  //   accept(s)  take a state the server sent (and its words: useWords)
  //   render(), scheduleRender()   draw the page (the second not while something is dragged)
  //   wire(a)    an action as the server knows it (the page's bookkeeping left out)
  //   redundant(a)   whether the last state already shows an action (it is not sent)
  //   onMessage()    hide the page's own parts: a message replaces them
  //   onStop(), onReload(), onSheetClosed()   optional: after the page stopped, after the
  //              reload button loaded the page again, after the sheet closed
  // The frame it returns: fatal (the page has stopped), sheet (what the open sheet stands
  // for, or null), failedCount(), pending() and busyWith(kind) (the actions on their way),
  // load(), enqueue(action), forget(test) (failed actions a new one makes pointless), stop(),
  // showNotice(), showMessage(), openSheet(what, focus), closeSheet(), sheetKey(evt) (true
  // when the open sheet took the key), restoreFocus(key), start() (Telegram and the
  // frame's buttons; then load()).
  function page(config) {
    const $ = (id) => document.getElementById(id);
    const el = {
      app: $('app'),
      notice: $('notice'),
      noticeText: $('notice-text'),
      noticeRetry: $('notice-retry'),
      viewMessage: $('view-message'),
      message: $('message'),
      reload: $('reload'),
      sheet: $('sheet'),
      sheetBackdrop: $('sheet-backdrop'),
    };
    const word = (key) => t(`${config.words}_${key}`);
    let fatal = false;
    let queue = []; // actions not sent yet, in order
    let inflight = null; // the action being sent
    let failed = []; // actions that did not reach the server: shown undone, offered again
    let pumping = false;
    let answers = 0;
    let noticeTimer = 0;
    let sheetOpen = null; // what the open sheet stands for (the page's own value)
    let sheetReturnFocus = null;

    // --- actions

    function pending() {
      return inflight ? [inflight, ...queue] : queue.slice();
    }

    function busyWith(kind) {
      return pending().some((a) => a.action === kind);
    }

    function received(data) {
      config.accept(data.state);
      if (data.notice) showNotice(data.notice);
    }

    function stop(reply) {
      fatal = true;
      queue = [];
      failed = [];
      if (config.onStop) config.onStop();
      showMessage(messageOf(reply) || word('error'), false);
    }

    async function load() {
      let reply;
      try {
        reply = await call(config.url(), 'GET');
      } catch (err) {
        if (config.state()) showRetry();
        else showMessage(word('load_failed'), true);
        return false;
      }
      if (reply.status === 200 && reply.data && reply.data.state) {
        received(reply.data);
        config.render();
        return true;
      }
      if (isFatal(reply.status)) stop(reply);
      else if (config.state()) showRetry();
      else showMessage(messageOf(reply) || word('load_failed'), true);
      return false;
    }

    function enqueue(action) {
      if (fatal) return;
      queue.push(action);
      config.render();
      pump();
    }

    // failed actions a new one makes pointless, forgotten (the notice goes once none is left)
    function forget(gone) {
      if (fatal) return;
      failed = failed.filter((a) => !gone(a));
      if (!failed.length) hideNotice(true);
    }

    async function pump() {
      if (pumping) return;
      pumping = true;
      while (queue.length && !fatal) {
        const action = queue.shift();
        if (config.redundant(action)) continue;
        inflight = action;
        config.scheduleRender();
        let reply;
        try {
          reply = await call(config.url(), 'POST', config.wire(action));
        } catch (err) {
          reply = null;
        }
        inflight = null;
        answers += 1;
        el.app.dataset.answers = String(answers);
        if (reply && reply.status === 200 && reply.data && reply.data.state) {
          received(reply.data);
        } else if (reply && isFatal(reply.status)) {
          stop(reply);
        } else if (reply && reply.status === 400) {
          // the server refused: say why; the page shows what the server holds
          showNotice(messageOf(reply) || word('error'));
          haptic('error');
        } else {
          // no answer (network) or a server fault: shown undone, offered again
          failed = failed.concat([action], queue);
          queue = [];
          showRetry();
          haptic('error');
        }
        config.scheduleRender();
      }
      pumping = false;
      config.scheduleRender();
    }

    async function retry() {
      const again = failed;
      failed = [];
      hideNotice(true);
      config.render();
      const ok = await load();
      if (!ok) {
        if (!fatal) {
          failed = again.concat(failed);
          showRetry();
        }
        return;
      }
      queue = again.concat(queue);
      config.render();
      pump();
    }

    // --- notices and the message

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
      el.noticeText.textContent = word('retry_notice');
      el.noticeRetry.textContent = word('retry');
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
      config.onMessage();
      el.app.setAttribute('aria-busy', 'false');
      el.message.textContent = text;
      el.reload.hidden = !canReload;
      // before the first answer the page has no words: the reload button is a symbol then
      el.reload.textContent = word('reload') || '⟳';
      el.viewMessage.hidden = false;
      closeSheet();
      setBackButton(false);
      ready();
    }

    // --- the sheet

    function openSheet(what, focus) {
      sheetReturnFocus = document.activeElement;
      sheetOpen = what;
      el.sheet.hidden = false;
      el.sheetBackdrop.hidden = false;
      document.body.classList.add('sheet-open');
      focus.focus();
      setBackButton(true);
    }

    function closeSheet() {
      if (!sheetOpen) return;
      sheetOpen = null;
      el.sheet.hidden = true;
      el.sheetBackdrop.hidden = true;
      document.body.classList.remove('sheet-open');
      setBackButton(false);
      const back = sheetReturnFocus;
      sheetReturnFocus = null;
      if (back && document.contains(back) && !back.disabled) back.focus({ preventScroll: true });
      if (config.onSheetClosed) config.onSheetClosed();
    }

    // while the sheet is open it keeps the keys: Escape closes it, Tab stays on its buttons
    function sheetKey(evt) {
      if (!sheetOpen) return false;
      if (evt.key === 'Escape') {
        evt.preventDefault();
        closeSheet();
      } else if (evt.key === 'Tab') {
        evt.preventDefault();
        const buttons = config.sheetButtons;
        buttons[(buttons.indexOf(document.activeElement) + 1) % buttons.length].focus();
      }
      return true;
    }

    function restoreFocus(key) {
      if (!key || sheetOpen) return;
      const target = document.querySelector(`[data-focus="${CSS.escape(key)}"]`);
      if (target && document.activeElement !== target) target.focus({ preventScroll: true });
    }

    // --- start

    function start() {
      el.noticeRetry.addEventListener('click', () => retry());
      el.reload.addEventListener('click', async () => {
        el.reload.hidden = true;
        if ((await load()) && config.onReload) config.onReload();
      });
      el.sheetBackdrop.addEventListener('click', closeSheet);
      if (wa) {
        tgCall(() => wa.expand());
        if (tgAtLeast('7.7')) tgCall(() => wa.disableVerticalSwipes()); // a drag is not a swipe away
        applyTheme();
        tgCall(() => wa.onEvent('themeChanged', applyTheme));
        if (wa.BackButton) tgCall(() => wa.BackButton.onClick(closeSheet));
      }
    }

    return {
      get fatal() {
        return fatal;
      },
      get sheet() {
        return sheetOpen; // what the open sheet stands for, or null
      },
      failedCount: () => failed.length,
      pending,
      busyWith,
      load,
      enqueue,
      forget,
      stop,
      showNotice,
      showMessage,
      openSheet,
      closeSheet,
      sheetKey,
      restoreFocus,
      start,
    };
  }

  return {
    useWords,
    t,
    haptic,
    setBackButton,
    ready,
    authorization,
    isFatal,
    node,
    focusKey,
    sortable,
    page,
  };
})();
