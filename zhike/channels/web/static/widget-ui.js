/* zhike (智客) web chat widget: its DOM (shadow root, window, messages).
 *
 * Bundled into /webhooks/socketio/widget.js before widget.js (see zhike/channels/web/assets.py).
 * Message text is only ever set with textContent, never parsed as HTML.
 */
var zhikeUi = (function () {
  "use strict";

  var TEXT = {
    title: "智客在线客服",
    open: "在线客服",
    close: "关闭",
    connecting: "正在连接…",
    online: "在线",
    dropped: "连接中断，正在重连…",
    placeholder: "请输入您的问题…",
    send: "发送",
    typing: "客服正在输入…",
    waiting: "等待发送",
    unsupported: "[暂不支持显示的消息]",
    welcome: "您好，我是智客在线客服，请问有什么可以帮您？",
    assistant: "智能助手",
    agent: "客服·",
    suggestions: "猜你想问",
  };

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // "14:05" for a time in milliseconds (the browser's own zone).
  function clock(at) {
    var date = new Date(at);
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(className, text, label, onClick) {
    var node = el("button", className, text);
    node.type = "button";
    if (label) node.setAttribute("aria-label", label);
    node.addEventListener("click", onClick);
    return node;
  }

  // The widget's elements in a shadow root on <body>. `actions`: open(), close(), submit().
  // Escape anywhere in the window closes it (actions.close returns focus to the launcher).
  function build(options, actions) {
    var title = options.title || TEXT.title;
    var host = el("div");
    host.id = "zhike-chat";
    host.setAttribute("data-mode", options.mode === "page" ? "page" : "launcher");
    host.style.display = "none"; // until the stylesheet is there
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var css = el("link");
    css.rel = "stylesheet";
    css.href = new URL("widget.css", options.server).href;
    var shown = function () {
      host.style.display = "";
    };
    css.addEventListener("load", shown);
    css.addEventListener("error", shown);
    setTimeout(shown, 3000);
    root.appendChild(css);

    var launcher = button("launcher", TEXT.open, "打开" + title, actions.open);
    var panel = el("section", "panel");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    panel.hidden = true;
    var header = el("header", "header");
    var heading = el("div", "heading");
    heading.appendChild(el("div", "title", title));
    var status = el("div", "status", TEXT.connecting);
    status.setAttribute("aria-live", "polite");
    heading.appendChild(status);
    header.appendChild(heading);
    header.appendChild(button("close", "×", TEXT.close, actions.close));
    var banner = el("div", "banner", TEXT.dropped);
    banner.setAttribute("role", "status");
    banner.hidden = true;
    var list = el("ol", "messages");
    list.setAttribute("aria-live", "polite");
    var typing = el("div", "typing");
    typing.appendChild(el("span", "dots"));
    typing.appendChild(el("span", "typing-text", TEXT.typing));
    typing.hidden = true;
    var form = el("form", "composer");
    var input = el("textarea", "input");
    input.rows = 1;
    input.maxLength = 2000;
    input.placeholder = TEXT.placeholder;
    input.setAttribute("aria-label", "输入消息");
    var send = el("button", "send", TEXT.send);
    send.type = "submit";
    form.appendChild(input);
    form.appendChild(send);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      actions.submit();
    });
    input.addEventListener("keydown", function (event) {
      // Enter sends, Shift+Enter is a new line; Enter that picks IME candidates is not ours.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        actions.submit();
      }
    });
    [header, banner, list, typing, form].forEach(function (node) {
      panel.appendChild(node);
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !event.isComposing) {
        event.preventDefault();
        actions.close();
      }
    });
    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(host);
    return {
      host: host,
      launcher: launcher,
      panel: panel,
      status: status,
      banner: banner,
      list: list,
      typing: typing,
      input: input,
    };
  }

  // One message: {id, from: "user"|"bot", text, image, buttons: [{title, payload}], used,
  // state, at (ms), sender (an agent's name), notice (a handoff notice's kind)}.
  // `onQuickReply(button)` is called when one of its buttons is clicked.
  function messageItem(message, onQuickReply) {
    if (message.notice) return noticeItem(message);
    var item = el("li", "message " + (message.from === "user" ? "from-user" : "from-bot"));
    item.setAttribute("data-id", message.id);
    if (message.from !== "user") {
      var who = message.sender ? TEXT.agent + message.sender : TEXT.assistant;
      item.appendChild(el("div", message.sender ? "sender from-agent" : "sender", who));
    }
    if (message.text) item.appendChild(el("div", "bubble", message.text));
    if (message.image) {
      var image = el("img", "image");
      image.alt = "图片";
      image.referrerPolicy = "no-referrer";
      image.src = message.image;
      item.appendChild(image);
    }
    if (message.buttons && message.buttons.length) {
      var row = el("div", "quick-replies");
      message.buttons.forEach(function (choice) {
        var node = button("quick-reply", choice.title, null, function () {
          if (!node.disabled) onQuickReply(choice);
        });
        node.disabled = Boolean(message.used);
        row.appendChild(node);
      });
      item.appendChild(row);
    }
    if (typeof message.at === "number") item.appendChild(timeOf(message.at));
    if (message.from === "user") item.appendChild(el("div", "state"));
    showState(item, message);
    return item;
  }

  function timeOf(at) {
    var node = el("time", "time", clock(at));
    node.dateTime = new Date(at).toISOString();
    return node;
  }

  // 人工客服「…」已接入 and the like: a line in the middle, not anybody's bubble.
  function noticeItem(message) {
    var item = el("li", "notice");
    item.setAttribute("data-id", message.id);
    item.setAttribute("data-notice", message.notice);
    item.appendChild(el("div", "notice-text", message.text));
    if (typeof message.at === "number") item.appendChild(timeOf(message.at));
    return item;
  }

  // A bot message's time (the bot event's), sender (an agent's name) and notice kind, as the
  // server labelled it (zhike/channels/web/sync.py).
  function label(message, data) {
    if (typeof data.zhike_ts === "number" && isFinite(data.zhike_ts)) message.at = data.zhike_ts * 1000;
    if (typeof data.zhike_sender === "string" && data.zhike_sender) message.sender = data.zhike_sender;
    if (typeof data.zhike_notice === "string" && data.zhike_notice) message.notice = data.zhike_notice;
  }

  // The 猜你想问 menu of a fresh conversation: {title, questions}; `onPick(question)`.
  function suggestionsItem(menu, onPick) {
    var item = el("li", "suggestions");
    var heading = el("div", "suggestions-title", menu.title || TEXT.suggestions);
    heading.id = "zhike-suggestions-title";
    item.appendChild(heading);
    var row = el("div", "suggestion-list");
    row.setAttribute("role", "group");
    row.setAttribute("aria-labelledby", heading.id);
    menu.questions.forEach(function (question) {
      row.appendChild(
        button("suggestion", question, null, function () {
          onPick(question);
        }),
      );
    });
    item.appendChild(row);
    return item;
  }

  // A user message's delivery state: "pending" (not sent yet: 等待发送) or "sent".
  function showState(item, message) {
    if (!item || message.from !== "user") return;
    item.setAttribute("data-state", message.state || "sent");
    item.querySelector(".state").textContent = message.state === "pending" ? TEXT.waiting : "";
  }

  return {
    TEXT: TEXT,
    build: build,
    messageItem: messageItem,
    label: label,
    suggestionsItem: suggestionsItem,
    showState: showState,
  };
})();
