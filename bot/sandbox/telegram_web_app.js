// A stand-in for https://telegram.org/js/telegram-web-app.js, for tests (bot/sandbox).
//
// Tests serve this file in place of Telegram's script; nothing here fetches anything. Like the
// real script it builds window.Telegram.WebView and window.Telegram.WebApp from the tgWebApp*
// parameters Telegram's client puts in location.hash (kept in sessionStorage under
// "__telegram__initParams", so they survive in-app navigation and reloads), and sets the CSS
// variables the real script sets on document.documentElement (--tg-theme-*,
// --tg-color-scheme, --tg-viewport-height, --tg-viewport-stable-height, safe-area insets).
// As in the real script, a theme saved in sessionStorage by an earlier page of the same tab
// wins over the one in the hash: give every launch a fresh page, as Telegram gives a fresh
// web view.
//
// Where the real script talks to the Telegram client, this one talks to a small simulated
// Telegram Desktop client: every event the app posts is recorded in window.__tgEvents as
// {eventType, eventData}; the client answers viewport and theme requests, closes popups at
// once (pressing window.__tgPopupAnswer, else the popup's first button), and marks
// window.__tgClosed on close(). Events from the client reach the app as on Telegram, through
// Telegram.WebView.receiveEvent(eventType, eventData), e.g.
//   Telegram.WebView.receiveEvent('theme_changed', {theme_params: {...}})
//   Telegram.WebView.receiveEvent('viewport_changed', {height: 600, is_expanded: true,
//                                                      is_state_stable: true})
// Test hooks: Telegram.WebApp.MainButton.__click() and Telegram.WebApp.BackButton.__click()
// press a button as a person would (refused while it is hidden; a disabled main button does
// nothing); window.__tgAlerts lists the messages of showAlert; window.__tgPopups the params
// of every popup shown.
(function () {
  'use strict';

  var PREFIX = '__telegram__';

  function safeDecode(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, '%20'));
    } catch (e) {
      return text;
    }
  }

  function parseQueryString(query) {
    var result = {};
    if (!query) {
      return result;
    }
    var parts = query.split('&');
    for (var i = 0; i < parts.length; i++) {
      if (!parts[i]) {
        continue;
      }
      var eq = parts[i].indexOf('=');
      if (eq < 0) {
        result[safeDecode(parts[i])] = null;
      } else {
        result[safeDecode(parts[i].slice(0, eq))] = safeDecode(parts[i].slice(eq + 1));
      }
    }
    return result;
  }

  // '#a=1&b=2', '#/path?a=1' or '#/path' (the client adds its parameters after a path).
  function parseHash(hash) {
    var text = String(hash || '').replace(/^#/, '');
    var result = {};
    if (!text) {
      return result;
    }
    if (text.indexOf('=') < 0 && text.indexOf('?') < 0) {
      result._path = safeDecode(text);
      return result;
    }
    var q = text.indexOf('?');
    if (q >= 0) {
      result._path = safeDecode(text.slice(0, q));
      text = text.slice(q + 1);
    }
    var params = parseQueryString(text);
    for (var key in params) {
      result[key] = params[key];
    }
    return result;
  }

  function storageGet(key) {
    try {
      return JSON.parse(window.sessionStorage.getItem(PREFIX + key));
    } catch (e) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      window.sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
    } catch (e) {
      // storage unavailable (a sandboxed frame): keep going, as the real script does
    }
  }

  var hash = '';
  try {
    hash = window.location.hash.toString();
  } catch (e) {
    hash = '';
  }
  var initParams = parseHash(hash);
  var stored = storageGet('initParams');
  if (stored) {
    for (var storedKey in stored) {
      if (initParams[storedKey] === undefined) {
        initParams[storedKey] = stored[storedKey];
      }
    }
  }
  storageSet('initParams', initParams);

  // -- the WebView bridge ------------------------------------------------------------------

  var handlers = {};

  function onEvent(eventType, callback) {
    var list = handlers[eventType] || (handlers[eventType] = []);
    if (list.indexOf(callback) < 0) {
      list.push(callback);
    }
  }

  function offEvent(eventType, callback) {
    var list = handlers[eventType];
    if (!list) {
      return;
    }
    var index = list.indexOf(callback);
    if (index >= 0) {
      list.splice(index, 1);
    }
  }

  function callEventCallbacks(eventType, invoke) {
    var list = (handlers[eventType] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try {
        invoke(list[i]);
      } catch (e) {
        if (window.console) {
          window.console.error('[Telegram.WebView] handler of ' + eventType + ' failed', e);
        }
      }
    }
  }

  // The client -> app direction: what Telegram's clients call.
  function receiveEvent(eventType, eventData) {
    callEventCallbacks(eventType, function (callback) {
      callback(eventType, eventData);
    });
  }

  window.__tgEvents = window.__tgEvents || [];
  window.__tgAlerts = window.__tgAlerts || [];
  window.__tgPopups = window.__tgPopups || [];
  window.__tgClosed = false;

  function later(fn) {
    window.setTimeout(fn, 0);
  }

  // The app -> client direction, answered by the simulated Telegram Desktop client.
  function postEvent(eventType, callback, eventData) {
    if (eventData === undefined) {
      eventData = '';
    }
    window.__tgEvents.push({eventType: eventType, eventData: eventData});
    simulatedClient(eventType, eventData);
    if (callback) {
      callback();
    }
  }

  function simulatedClient(eventType, eventData) {
    if (eventType === 'web_app_request_viewport') {
      later(function () {
        receiveEvent('viewport_changed', currentViewport());
      });
    } else if (eventType === 'web_app_request_theme') {
      later(function () {
        receiveEvent('theme_changed', {theme_params: themeParams});
      });
    } else if (eventType === 'web_app_open_popup') {
      later(function () {
        var wanted = window.__tgPopupAnswer;
        var buttons = eventData.buttons || [];
        var buttonId = buttons.length ? buttons[0].id : '';
        for (var i = 0; i < buttons.length; i++) {
          if (wanted !== undefined && buttons[i].id === wanted) {
            buttonId = wanted;
          }
        }
        receiveEvent('popup_closed', {button_id: buttonId});
      });
    } else if (eventType === 'web_app_close') {
      window.__tgClosed = true;
    }
  }

  if (!window.Telegram) {
    window.Telegram = {};
  }
  window.Telegram.WebView = {
    initParams: initParams,
    isIframe: false,
    onEvent: onEvent,
    offEvent: offEvent,
    postEvent: postEvent,
    receiveEvent: receiveEvent,
    callEventCallbacks: callEventCallbacks
  };
  window.Telegram.Utils = {
    urlSafeDecode: safeDecode,
    urlParseQueryString: parseQueryString,
    urlParseHashParams: parseHash,
    sessionStorageSet: storageSet,
    sessionStorageGet: storageGet
  };
  window.TelegramGameProxy = {receiveEvent: receiveEvent};

  // -- the WebApp --------------------------------------------------------------------------

  var WebApp = {};
  var version = initParams.tgWebAppVersion || '6.0';
  var platform = initParams.tgWebAppPlatform || 'unknown';
  var initData = '';
  var initDataUnsafe = {};
  var themeParams = {};
  var colorScheme = 'light';

  if (initParams.tgWebAppData) {
    initData = initParams.tgWebAppData;
    initDataUnsafe = parseQueryString(initData);
    for (var field in initDataUnsafe) {
      var raw = initDataUnsafe[field];
      if (typeof raw === 'string' && /^(\{[\s\S]*\}|\[[\s\S]*\])$/.test(raw)) {
        try {
          initDataUnsafe[field] = JSON.parse(raw);
        } catch (e) {
          // left as the string it is, like the real script
        }
      }
    }
  }

  function versionCompare(a, b) {
    var pa = String(a || '').trim().split('.');
    var pb = String(b || '').trim().split('.');
    for (var i = 0; i < Math.max(pa.length, pb.length); i++) {
      var x = parseInt(pa[i], 10) || 0;
      var y = parseInt(pb[i], 10) || 0;
      if (x !== y) {
        return x > y ? 1 : -1;
      }
    }
    return 0;
  }

  function versionAtLeast(wanted) {
    return versionCompare(version, wanted) >= 0;
  }

  function setCssProperty(name, value) {
    var root = document.documentElement;
    if (root && root.style && root.style.setProperty) {
      root.style.setProperty('--tg-' + name, value);
    }
  }

  function toHexColor(value) {
    var text = String(value).trim();
    var m = /^#([0-9a-f]{6})$/i.exec(text);
    if (m) {
      return '#' + m[1].toLowerCase();
    }
    m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(text);
    if (m) {
      return ('#' + m[1] + m[1] + m[2] + m[2] + m[3] + m[3]).toLowerCase();
    }
    m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*[\d.]+)?\)$/.exec(text);
    if (m) {
      var hex = '#';
      for (var i = 1; i <= 3; i++) {
        var channel = Math.min(255, parseInt(m[i], 10));
        hex += (channel < 16 ? '0' : '') + channel.toString(16);
      }
      return hex;
    }
    return null;
  }

  // Perceived brightness (HSP): dark below 120, as Telegram's script decides colorScheme.
  function isDark(hex) {
    var r = parseInt(hex.slice(1, 3), 16);
    var g = parseInt(hex.slice(3, 5), 16);
    var b = parseInt(hex.slice(5, 7), 16);
    return Math.sqrt(0.299 * r * r + 0.587 * g * g + 0.114 * b * b) < 120;
  }

  function applyThemeParams(params) {
    for (var key in params) {
      var color = toHexColor(params[key]);
      if (!color) {
        continue;
      }
      themeParams[key] = color;
      if (key === 'bg_color') {
        colorScheme = isDark(color) ? 'dark' : 'light';
        setCssProperty('color-scheme', colorScheme);
      }
      setCssProperty('theme-' + key.split('_').join('-'), color);
    }
    storageSet('themeParams', themeParams);
  }

  if (initParams.tgWebAppThemeParams) {
    try {
      var fromHash = JSON.parse(initParams.tgWebAppThemeParams);
      if (fromHash) {
        applyThemeParams(fromHash);
      }
    } catch (e) {
      // a malformed theme is ignored, as by the real script
    }
  }
  var storedTheme = storageGet('themeParams');
  if (storedTheme) {
    applyThemeParams(storedTheme);
  }

  // Telegram Desktop shows a Mini App expanded, in a window whose height is the viewport.
  var viewportHeight = window.innerHeight;
  var viewportStableHeight = window.innerHeight;
  var isExpanded = true;

  function currentViewport() {
    return {height: window.innerHeight, is_expanded: true, is_state_stable: true};
  }

  function applyViewport(data, notify) {
    if (data) {
      isExpanded = !!data.is_expanded;
      viewportHeight = data.height;
      if (data.is_state_stable) {
        viewportStableHeight = data.height;
      }
    }
    setCssProperty('viewport-height', viewportHeight + 'px');
    setCssProperty('viewport-stable-height', viewportStableHeight + 'px');
    if (notify) {
      receiveWebViewEvent('viewportChanged', {isStateStable: !!(data && data.is_state_stable)});
    }
  }
  applyViewport(null, false);

  var insets = ['top', 'bottom', 'left', 'right'];
  var safeAreaInset = {top: 0, bottom: 0, left: 0, right: 0};
  var contentSafeAreaInset = {top: 0, bottom: 0, left: 0, right: 0};
  for (var n = 0; n < insets.length; n++) {
    setCssProperty('safe-area-inset-' + insets[n], '0px');
    setCssProperty('content-safe-area-inset-' + insets[n], '0px');
  }

  // WebApp events ('themeChanged', 'viewportChanged', ...) run with this === WebApp.
  function receiveWebViewEvent(eventType, params) {
    callEventCallbacks('webview:' + eventType, function (callback) {
      if (params === undefined) {
        callback.call(WebApp);
      } else {
        callback.call(WebApp, params);
      }
    });
  }

  function onWebViewEvent(eventType, callback) {
    onEvent('webview:' + eventType, callback);
  }

  function offWebViewEvent(eventType, callback) {
    offEvent('webview:' + eventType, callback);
  }

  onEvent('theme_changed', function (eventType, eventData) {
    if (eventData && eventData.theme_params) {
      applyThemeParams(eventData.theme_params);
      receiveWebViewEvent('themeChanged');
    }
  });
  onEvent('viewport_changed', function (eventType, eventData) {
    if (eventData && eventData.height) {
      applyViewport(eventData, true);
    }
  });
  window.addEventListener('resize', function () {
    receiveEvent('viewport_changed', currentViewport());
  });

  function trimmed(value) {
    return String(value).replace(/^\s+|\s+$/g, '');
  }

  // -- BackButton ----------------------------------------------------------------------------

  var BackButton = (function () {
    var isVisible = false;
    var button = {};
    Object.defineProperty(button, 'isVisible', {
      get: function () {
        return isVisible;
      },
      set: function (value) {
        setVisible(value);
      },
      enumerable: true
    });

    function setVisible(value) {
      if (isVisible !== !!value) {
        isVisible = !!value;
        postEvent('web_app_setup_back_button', false, {is_visible: isVisible});
      }
      return button;
    }

    onEvent('back_button_pressed', function () {
      receiveWebViewEvent('backButtonClicked');
    });

    button.show = function () {
      return setVisible(true);
    };
    button.hide = function () {
      return setVisible(false);
    };
    button.onClick = function (callback) {
      onWebViewEvent('backButtonClicked', callback);
      return button;
    };
    button.offClick = function (callback) {
      offWebViewEvent('backButtonClicked', callback);
      return button;
    };
    // Test hook: a person presses the back button (only a shown one can be pressed).
    button.__click = function () {
      if (!isVisible) {
        throw Error('BackButton is hidden: nobody can press it');
      }
      receiveEvent('back_button_pressed', {});
    };
    return button;
  })();

  // -- MainButton ----------------------------------------------------------------------------

  var MainButton = (function () {
    var text = 'Continue';
    var color = null;
    var textColor = null;
    var isVisible = false;
    var isActive = true;
    var isProgressVisible = false;
    var hasShineEffect = false;
    var lastState = null;
    var button = {};

    function invalid(message, value) {
      if (window.console) {
        window.console.error('[Telegram.WebApp] ' + message, value);
      }
      throw Error('WebAppBottomButtonParamInvalid');
    }

    function params() {
      if (!isVisible) {
        return {is_visible: false};
      }
      return {
        is_visible: true,
        is_active: isActive,
        is_progress_visible: isProgressVisible,
        text: text,
        color: button.color,
        text_color: button.textColor,
        has_shine_effect: hasShineEffect
      };
    }

    function update() {
      var state = JSON.stringify(params());
      if (state !== lastState) {
        lastState = state;
        postEvent('web_app_setup_main_button', false, params());
      }
      return button;
    }

    function setParams(p) {
      p = p || {};
      if (p.text !== undefined) {
        var t = trimmed(p.text);
        if (!t.length) {
          invalid('Main button text is required', p.text);
        }
        if (t.length > 64) {
          invalid('Main button text is too long', t);
        }
        text = t;
      }
      if (p.color !== undefined) {
        if (p.color === null || p.color === false) {
          color = null;
        } else {
          color = toHexColor(p.color) || invalid('Main button color format is invalid', p.color);
        }
      }
      if (p.text_color !== undefined) {
        if (p.text_color === null || p.text_color === false) {
          textColor = null;
        } else {
          textColor =
            toHexColor(p.text_color) || invalid('Main button text color is invalid', p.text_color);
        }
      }
      if (p.is_visible !== undefined) {
        isVisible = !!p.is_visible;
      }
      if (p.is_active !== undefined) {
        isActive = !!p.is_active;
      }
      if (p.has_shine_effect !== undefined) {
        hasShineEffect = !!p.has_shine_effect;
      }
      return update();
    }

    var properties = {
      text: [function () { return text; }, function (v) { setParams({text: v}); }],
      color: [
        function () { return color || themeParams.button_color || '#2481cc'; },
        function (v) { setParams({color: v}); }
      ],
      textColor: [
        function () { return textColor || themeParams.button_text_color || '#ffffff'; },
        function (v) { setParams({text_color: v}); }
      ],
      isVisible: [function () { return isVisible; }, function (v) { setParams({is_visible: v}); }],
      isActive: [function () { return isActive; }, function (v) { setParams({is_active: v}); }],
      isProgressVisible: [function () { return isProgressVisible; }, null],
      hasShineEffect: [
        function () { return hasShineEffect; },
        function (v) { setParams({has_shine_effect: v}); }
      ]
    };
    for (var name in properties) {
      var descriptor = {get: properties[name][0], enumerable: true};
      if (properties[name][1]) {
        descriptor.set = properties[name][1];
      }
      Object.defineProperty(button, name, descriptor);
    }

    onEvent('main_button_pressed', function () {
      if (isActive) {
        receiveWebViewEvent('mainButtonClicked');
      }
    });

    button.setParams = setParams;
    button.setText = function (value) {
      return setParams({text: value});
    };
    button.show = function () {
      return setParams({is_visible: true});
    };
    button.hide = function () {
      return setParams({is_visible: false});
    };
    button.enable = function () {
      return setParams({is_active: true});
    };
    button.disable = function () {
      return setParams({is_active: false});
    };
    button.showProgress = function (leaveActive) {
      isActive = !!leaveActive;
      isProgressVisible = true;
      return update();
    };
    button.hideProgress = function () {
      isActive = true;
      isProgressVisible = false;
      return update();
    };
    button.onClick = function (callback) {
      onWebViewEvent('mainButtonClicked', callback);
      return button;
    };
    button.offClick = function (callback) {
      offWebViewEvent('mainButtonClicked', callback);
      return button;
    };
    // Test hook: a person presses the main button (only a shown one can be pressed; pressing a
    // disabled one does nothing, as in Telegram).
    button.__click = function () {
      if (!isVisible) {
        throw Error('MainButton is hidden: nobody can press it');
      }
      receiveEvent('main_button_pressed', {});
    };
    return button;
  })();

  // -- HapticFeedback ------------------------------------------------------------------------

  var HapticFeedback = (function () {
    var haptic = {};
    var impactStyles = ['light', 'medium', 'heavy', 'rigid', 'soft'];
    var notificationTypes = ['error', 'success', 'warning'];
    haptic.impactOccurred = function (style) {
      if (impactStyles.indexOf(style) < 0) {
        throw Error('WebAppHapticImpactStyleInvalid');
      }
      postEvent('web_app_trigger_haptic_feedback', false, {type: 'impact', impact_style: style});
      return haptic;
    };
    haptic.notificationOccurred = function (type) {
      if (notificationTypes.indexOf(type) < 0) {
        throw Error('WebAppHapticNotificationTypeInvalid');
      }
      postEvent('web_app_trigger_haptic_feedback', false, {
        type: 'notification',
        notification_type: type
      });
      return haptic;
    };
    haptic.selectionChanged = function () {
      postEvent('web_app_trigger_haptic_feedback', false, {type: 'selection_change'});
      return haptic;
    };
    return haptic;
  })();

  // -- popups --------------------------------------------------------------------------------

  var openPopup = null;

  onEvent('popup_closed', function (eventType, eventData) {
    if (!openPopup) {
      return;
    }
    var popup = openPopup;
    openPopup = null;
    var buttonId = eventData && eventData.button_id !== undefined ? eventData.button_id : null;
    if (popup.callback) {
      popup.callback(buttonId);
    }
    receiveWebViewEvent('popupClosed', {button_id: buttonId});
  });

  function popupInvalid(message, value) {
    if (window.console) {
      window.console.error('[Telegram.WebApp] ' + message, value);
    }
    throw Error('WebAppPopupParamInvalid');
  }

  function showPopup(p, callback) {
    if (openPopup) {
      throw Error('WebAppPopupOpened');
    }
    p = p || {};
    var popup = {};
    if (p.title !== undefined) {
      var title = trimmed(p.title);
      if (title.length > 64) {
        popupInvalid('Popup title is too long', title);
      }
      if (title.length) {
        popup.title = title;
      }
    }
    var message = p.message === undefined ? '' : trimmed(p.message);
    if (!message.length) {
      popupInvalid('Popup message is required', p.message);
    }
    if (message.length > 256) {
      popupInvalid('Popup message is too long', message);
    }
    popup.message = message;
    var buttons = [];
    if (p.buttons === undefined) {
      buttons.push({id: '', type: 'close'});
    } else {
      if (!Array.isArray(p.buttons) || p.buttons.length < 1 || p.buttons.length > 3) {
        popupInvalid('Popup should have 1-3 buttons', p.buttons);
      }
      for (var i = 0; i < p.buttons.length; i++) {
        var b = p.buttons[i] || {};
        var type = b.type === undefined ? 'default' : b.type;
        var entry = {id: b.id === undefined ? '' : String(b.id), type: type};
        if (entry.id.length > 64) {
          popupInvalid('Popup button id is too long', entry.id);
        }
        if (type === 'default' || type === 'destructive') {
          var label = b.text === undefined ? '' : trimmed(b.text);
          if (!label.length || label.length > 64) {
            popupInvalid('Popup button text must have 1-64 characters', b.text);
          }
          entry.text = label;
        } else if (type !== 'ok' && type !== 'close' && type !== 'cancel') {
          popupInvalid('Popup button type is invalid', type);
        }
        buttons.push(entry);
      }
    }
    popup.buttons = buttons;
    openPopup = {callback: callback || null};
    window.__tgPopups.push(popup);
    postEvent('web_app_open_popup', false, popup);
  }

  // -- WebApp itself -------------------------------------------------------------------------

  var headerColor = null;
  var backgroundColor = null;
  var closingConfirmation = false;

  var getters = {
    initData: function () { return initData; },
    initDataUnsafe: function () { return initDataUnsafe; },
    version: function () { return version; },
    platform: function () { return platform; },
    colorScheme: function () { return colorScheme; },
    themeParams: function () { return themeParams; },
    isExpanded: function () { return isExpanded; },
    viewportHeight: function () { return viewportHeight; },
    viewportStableHeight: function () { return viewportStableHeight; },
    isActive: function () { return true; },
    isFullscreen: function () { return false; },
    isOrientationLocked: function () { return false; },
    safeAreaInset: function () { return safeAreaInset; },
    contentSafeAreaInset: function () { return contentSafeAreaInset; },
    headerColor: function () { return headerColor || themeParams.bg_color || null; },
    backgroundColor: function () { return backgroundColor || themeParams.bg_color || null; },
    isClosingConfirmationEnabled: function () { return closingConfirmation; },
    BackButton: function () { return BackButton; },
    MainButton: function () { return MainButton; },
    HapticFeedback: function () { return HapticFeedback; }
  };
  for (var getter in getters) {
    Object.defineProperty(WebApp, getter, {get: getters[getter], enumerable: true});
  }

  function colorOrKey(value, errorName) {
    if (value === 'bg_color' || value === 'secondary_bg_color') {
      return themeParams[value] || null;
    }
    var color = toHexColor(value);
    if (!color) {
      throw Error(errorName);
    }
    return color;
  }

  WebApp.isVersionAtLeast = versionAtLeast;
  WebApp.onEvent = onWebViewEvent;
  WebApp.offEvent = offWebViewEvent;
  WebApp.ready = function () {
    postEvent('web_app_ready');
  };
  WebApp.expand = function () {
    postEvent('web_app_expand');
  };
  WebApp.close = function (options) {
    postEvent('web_app_close', false, options && options.return_back ? {return_back: true} : {});
  };
  WebApp.setHeaderColor = function (value) {
    headerColor = colorOrKey(value, 'WebAppHeaderColorInvalid');
    postEvent('web_app_set_header_color', false, {color: headerColor});
  };
  WebApp.setBackgroundColor = function (value) {
    backgroundColor = colorOrKey(value, 'WebAppBackgroundColorInvalid');
    postEvent('web_app_set_background_color', false, {color: backgroundColor});
  };
  WebApp.enableClosingConfirmation = function () {
    closingConfirmation = true;
    postEvent('web_app_setup_closing_behavior', false, {need_confirmation: true});
  };
  WebApp.disableClosingConfirmation = function () {
    closingConfirmation = false;
    postEvent('web_app_setup_closing_behavior', false, {need_confirmation: false});
  };
  WebApp.sendData = function (data) {
    if (!data || !data.length || new Blob([data]).size > 4096) {
      throw Error('WebAppDataInvalid');
    }
    postEvent('web_app_data_send', false, {data: data});
  };
  WebApp.openLink = function (url, options) {
    var a = document.createElement('a');
    a.href = url;
    if (a.protocol !== 'http:' && a.protocol !== 'https:') {
      throw Error('WebAppTgUrlInvalid');
    }
    postEvent('web_app_open_link', false, {
      url: a.href,
      try_instant_view: !!(options && options.try_instant_view)
    });
  };
  WebApp.openTelegramLink = function (url) {
    var a = document.createElement('a');
    a.href = url;
    if ((a.protocol !== 'http:' && a.protocol !== 'https:') || a.hostname !== 't.me') {
      throw Error('WebAppTgUrlInvalid');
    }
    postEvent('web_app_open_tg_link', false, {path_full: a.pathname + a.search});
  };
  WebApp.showPopup = showPopup;
  WebApp.showAlert = function (message, callback) {
    showPopup({message: message}, function () {
      if (callback) {
        callback();
      }
    });
    window.__tgAlerts.push(trimmed(message));
  };
  WebApp.showConfirm = function (message, callback) {
    showPopup(
      {message: message, buttons: [{id: 'ok', type: 'ok'}, {type: 'cancel'}]},
      function (buttonId) {
        if (callback) {
          callback(buttonId === 'ok');
        }
      }
    );
  };

  window.Telegram.WebApp = WebApp;
})();
