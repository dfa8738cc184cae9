/* zhike (智客) web chat widget.
 *
 * Served inside /webhooks/socketio/widget.js, after the socket.io client (`io`), the
 * server's settings (`ZHIKE_SERVER`), the DOM part (`zhikeUi`, widget-ui.js) and the stored
 * conversation (`zhikeStore`, widget-store.js); see zhike/channels/web/assets.py. Connection,
 * session, messages and the public API,
 * window.ZhikeChat (docs/channels/web.md).
 */
(function (io, server, ui, store) {
  "use strict";
  if (window.ZhikeChat && window.ZhikeChat.version) return; // the script was included twice

  var TYPING_TIMEOUT_MS = 30000;
  var SYNC_EVENT = "zhike_sync";
  var SESSION_EVENT = "zhike_session";
  var TEXT = ui.TEXT;

  var script = document.currentScript;
  var scriptData = (script && script.dataset) || {};
  var scriptBase = script && script.src ? new URL(".", script.src).href : location.href;
  var widget = null;
  var autoInit = scriptData.autoInit !== "false";

  function uid() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function Widget(options) {
    this.options = options;
    this.token = options.loginToken || "";
    this.storageKey = options.storageKey || "zhike-chat";
    this.store = store.storage();
    this.socket = null;
    this.ready = false; // connected and the session confirmed
    this.inflight = 0;
    this.typingTimer = null;
    this.record = store.load(this.store, this.storageKey, this.token);
    this.build();
    this.renderAll();
    if (options.mode === "page" || options.open || this.record.open) this.open();
  }

  Widget.prototype.save = function () {
    store.save(this.store, this.storageKey, this.record);
  };

  Widget.prototype.build = function () {
    var self = this;
    this.ui = ui.build(this.options, {
      open: function () {
        self.open();
      },
      close: function () {
        self.close();
      },
      submit: function () {
        self.submit();
      },
    });
    this.onOffline = function () {
      self.setConnected(false);
    };
    window.addEventListener("offline", this.onOffline);
  };

  Widget.prototype.open = function () {
    this.ui.panel.hidden = false;
    this.ui.launcher.hidden = true;
    this.ui.launcher.classList.remove("unread");
    if (!this.record.open) {
      this.record.open = true;
      this.save();
    }
    this.connect();
    this.scrollDown();
    if (this.options.mode !== "page") this.ui.input.focus();
  };

  Widget.prototype.close = function () {
    if (this.options.mode === "page") return;
    this.ui.panel.hidden = true;
    this.ui.launcher.hidden = false;
    this.ui.launcher.focus(); // keyboard users go on where they opened it
    this.record.open = false;
    this.save();
  };

  Widget.prototype.connect = function () {
    if (this.socket) return;
    var self = this;
    var url = new URL(server.namespace || "/", this.options.server).href;
    var socket = io(url, {
      path: server.socketPath,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      forceNew: true,
    });
    this.socket = socket;
    socket.on("connect", function () {
      self.ready = false;
      // The server continues the stored session only with the token it gave for it, and
      // only for the same logged-in customer (or none); otherwise it assigns a new one.
      var request = { session_id: self.record.sessionId, session_token: self.record.sessionToken };
      request[server.metadataKey] = self.metadata();
      socket.emit("session_request", request);
    });
    // Sent before every session_confirm: the session id and the proof to continue it later.
    socket.on(SESSION_EVENT, function (proof) {
      if (!proof || typeof proof.session_id !== "string" || typeof proof.session_token !== "string") {
        return;
      }
      if (self.record.sessionId !== proof.session_id) {
        self.record.sessionId = proof.session_id;
        self.record.cursor = null; // a new conversation: catch up on all of it
      }
      self.record.sessionToken = proof.session_token;
      self.save();
    });
    socket.on("session_confirm", function (sessionId) {
      if (typeof sessionId !== "string" || !sessionId) return;
      if (self.record.sessionId !== sessionId) {
        self.record.sessionId = sessionId;
        self.save();
      }
      self.ready = true;
      self.setConnected(true);
      self.sync(socket);
      self.flush();
    });
    socket.on("disconnect", function (reason) {
      self.setConnected(false);
      if (reason === "io server disconnect") socket.connect(); // not retried by itself
    });
    socket.on("connect_error", function () {
      self.setConnected(false);
    });
    socket.on(server.botEvent, function (data) {
      self.receive(data);
    });
  };

  // Asks the server for the bot messages this widget missed (sent while it was
  // disconnected, or before a reload); shows those it does not have yet, in order.
  Widget.prototype.sync = function (socket) {
    var self = this;
    var adopt = this.record.cursor === "adopt";
    var after = typeof this.record.cursor === "number" ? this.record.cursor : null;
    socket.emit(SYNC_EVENT, { after: adopt ? null : after }, function (reply) {
      if (self.socket !== socket || !reply || !Array.isArray(reply.messages)) return;
      if (adopt) {
        reply.messages.forEach(function (data) {
          store.advanceCursor(self.record, data);
        });
        self.save();
        return;
      }
      reply.messages.forEach(function (data) {
        self.receive(data);
      });
    });
  };

  Widget.prototype.setConnected = function (connected) {
    if (!connected) {
      this.ready = false;
      this.inflight = 0;
      this.showTyping(false);
    }
    var everConnected = Boolean(this.record.sessionId);
    this.ui.banner.hidden = connected || !everConnected;
    this.ui.status.textContent = connected ? TEXT.online : everConnected ? TEXT.dropped : TEXT.connecting;
    this.ui.host.setAttribute("data-connection", connected ? "online" : "offline");
  };

  Widget.prototype.submit = function () {
    var text = this.ui.input.value.trim();
    if (!text) return;
    this.ui.input.value = "";
    this.send(text, text);
  };

  // Queues a message; it is emitted once, when connected (never again after a drop).
  Widget.prototype.send = function (payload, shownText) {
    this.retireButtons();
    var message = { id: uid(), from: "user", text: shownText, payload: payload, state: "pending" };
    message.at = Date.now();
    this.record.messages.push(message);
    this.save();
    this.ui.list.appendChild(this.renderMessage(message));
    this.scrollDown();
    this.connect();
    this.flush();
  };

  Widget.prototype.flush = function () {
    if (!this.ready || !this.socket || !this.socket.connected) return;
    var self = this;
    this.record.messages.forEach(function (message) {
      if (message.from === "user" && message.state === "pending") self.emit(message);
    });
  };

  Widget.prototype.emit = function (message) {
    var self = this;
    message.state = "sent"; // saved before emitting: a reload or a drop never sends it again
    this.save();
    this.updateState(message);
    // session_id only for Rasa's protocol: the server uses the socket's own session.
    var data = { message: message.payload, session_id: this.record.sessionId };
    data[server.metadataKey] = this.metadata();
    this.inflight += 1;
    this.showTyping(true);
    // The server acknowledges after the bot has answered: then the typing indicator goes.
    this.socket.emit(server.userEvent, data, function () {
      self.inflight = Math.max(0, self.inflight - 1);
      if (!self.inflight) self.showTyping(false);
    });
  };

  // What goes with every request: the site's login token, when there is one.
  Widget.prototype.metadata = function () {
    var metadata = {};
    if (this.token) metadata[server.loginTokenKey] = this.token;
    return metadata;
  };

  Widget.prototype.receive = function (data) {
    if (!data || typeof data !== "object") return;
    var key = store.keyOf(data);
    if (store.seen(this.record, key)) return; // already shown (live, then again in a catch-up)
    var message = { id: uid(), from: "bot", text: "", buttons: [], at: Date.now() };
    if (key) message.key = key;
    ui.label(message, data); // when it was sent, by which agent, or a notice
    store.advanceCursor(this.record, data);
    if (typeof data.text === "string") message.text = data.text;
    var buttons = data.quick_replies || data.buttons || [];
    if (Array.isArray(buttons)) {
      buttons.forEach(function (button) {
        if (button && typeof button.title === "string") {
          var payload = typeof button.payload === "string" ? button.payload : button.title;
          message.buttons.push({ title: button.title, payload: payload });
        }
      });
    }
    var attachment = data.attachment;
    if (attachment && attachment.type === "image" && attachment.payload) {
      var src = String(attachment.payload.src || "");
      if (/^https?:\/\//i.test(src)) message.image = src;
    }
    if (!message.text && !message.buttons.length && !message.image) message.text = TEXT.unsupported;
    this.record.messages.push(message);
    this.save();
    this.ui.list.appendChild(this.renderMessage(message));
    if (this.ui.panel.hidden) this.ui.launcher.classList.add("unread");
    this.scrollDown();
  };

  // Buttons answer the latest question only: sending anything retires the older ones.
  Widget.prototype.retireButtons = function () {
    this.record.messages.forEach(function (message) {
      if (message.buttons && message.buttons.length) message.used = true;
    });
    var buttons = this.ui.list.querySelectorAll(".quick-replies button");
    Array.prototype.forEach.call(buttons, function (button) {
      button.disabled = true;
    });
  };

  Widget.prototype.renderMessage = function (message) {
    var self = this;
    return ui.messageItem(message, function (button) {
      self.send(button.payload, button.title);
    });
  };

  Widget.prototype.updateState = function (message) {
    ui.showState(this.ui.list.querySelector('[data-id="' + message.id + '"]'), message);
  };

  Widget.prototype.renderAll = function () {
    var list = this.ui.list;
    var self = this;
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!this.record.messages.length) {
      // A fresh conversation: the welcome and the 猜你想问 menu (a click sends the question).
      list.appendChild(this.renderMessage({ id: "welcome", from: "bot", text: TEXT.welcome, at: Date.now() }));
      var menu = server.suggestions;
      if (menu && Array.isArray(menu.questions) && menu.questions.length) {
        list.appendChild(ui.suggestionsItem(menu, function (question) { self.send(question, question); }));
      }
    }
    this.record.messages.forEach(function (message) {
      list.appendChild(self.renderMessage(message));
    });
  };

  Widget.prototype.showTyping = function (shown) {
    var self = this;
    clearTimeout(this.typingTimer);
    this.ui.typing.hidden = !shown;
    if (shown) {
      this.typingTimer = setTimeout(function () {
        self.ui.typing.hidden = true;
      }, TYPING_TIMEOUT_MS);
      this.scrollDown();
    }
  };

  Widget.prototype.scrollDown = function () {
    var list = this.ui.list;
    list.scrollTop = list.scrollHeight;
  };

  Widget.prototype.destroy = function () {
    clearTimeout(this.typingTimer);
    window.removeEventListener("offline", this.onOffline);
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
      this.socket = null;
    }
    if (this.ui.host.parentNode) this.ui.host.parentNode.removeChild(this.ui.host);
  };

  function optionsFrom(data) {
    var options = {};
    if (data.loginToken) options.loginToken = data.loginToken;
    if (data.mode) options.mode = data.mode;
    if (data.title) options.title = data.title;
    if (data.server) options.server = data.server;
    if (data.storageKey) options.storageKey = data.storageKey;
    if (data.open) options.open = data.open !== "false";
    return options;
  }

  function start(options) {
    if (widget) widget.destroy();
    var merged = optionsFrom(scriptData);
    Object.keys(options || {}).forEach(function (key) {
      merged[key] = options[key];
    });
    merged.server = new URL(merged.server || scriptBase, location.href).href;
    widget = new Widget(merged);
    return widget;
  }

  function whenReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      setTimeout(callback, 0);
    }
  }

  window.ZhikeChat = {
    version: "1",
    // (Re)starts the widget; options override the script tag's data-* attributes.
    init: function (options) {
      autoInit = false;
      var given = options || {};
      whenReady(function () {
        start(given);
      });
    },
    open: function () {
      if (widget) widget.open();
    },
    close: function () {
      if (widget) widget.close();
    },
    // The customer logged in, out (null) or got a fresh token. Another customer than the
    // conversation's gets a new, empty conversation.
    setLoginToken: function (token) {
      if (!widget) return;
      token = token || "";
      if (store.ownerOf(token) === widget.record.owner) {
        widget.token = token;
        widget.options.loginToken = token;
        return;
      }
      var options = widget.options;
      options.loginToken = token;
      widget.destroy();
      widget = new Widget(options);
    },
    logout: function () {
      window.ZhikeChat.setLoginToken(null);
    },
    destroy: function () {
      if (widget) widget.destroy();
      widget = null;
    },
  };

  whenReady(function () {
    if (autoInit && !widget) start({});
  });
})(io, ZHIKE_SERVER, zhikeUi, zhikeStore);
