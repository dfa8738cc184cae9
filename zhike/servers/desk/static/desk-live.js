/* 智客 坐席工作台: live updates, attention and shortcuts.
   - The server pushes what changed (GET /api/desk/v1/events, server-sent events): the page
     reads the inbox or the open conversation again only then; nothing polls while the
     stream is up. When it is lost the page says 「连接已断开，正在重连…」, EventSource
     reconnects, and a full refresh follows; meanwhile a slow refresh every 30 s.
   - Unread customer messages show in the tab's title 「(2) 新消息 - 智客工作台」, with an
     optional short beep (WebAudio, off by default, remembered in localStorage).
   - Shortcuts: Alt+N 接入下一个, Alt+W 结束会话 (asks to confirm), ? help; Ctrl+Enter (and
     Enter) in the reply box sends (desk-conversation.js). */
(function () {
  "use strict";

  var util = zhikeDesk, $ = util.$, el = util.el;
  var URL = "/api/desk/v1/events";
  var FALLBACK_MS = 30000;  // while the stream is down
  var REOPEN_MS = 5000;  // when the browser gave up on the stream (e.g. the server said no)
  var TITLE = "智客 · 坐席工作台";
  var SOUND_KEY = "zhike.desk.sound";
  var SHORTCUTS = [
    ["Alt + N", "接入排队最久的会话"],
    ["Ctrl + Enter", "发送回复（在回复框中，Enter 也可发送）"],
    ["Alt + W", "结束当前会话（需确认）"],
    ["?", "打开或关闭本帮助"],
    ["Esc", "关闭帮助或取消结束会话"]
  ];

  var live = { source: null, lost: false, fallback: null, reopen: null, refreshTimer: null };
  var lastUnread = 0, audio = null;

  function app() { return zhikeDesk.app; }

  // ----- the stream -----
  function start() {
    stop();
    var source = new EventSource(URL);
    live.source = source;
    source.addEventListener("ready", function () {
      if (live.source !== source) { return; }
      connected();
      app().refresh();  // the first time, and after every reconnect: read everything
      util.history.count();
    });
    source.addEventListener("inbox", function (event) { onInbox(parse(event)); });
    source.addEventListener("message", function (event) { onMessage(parse(event)); });
    source.addEventListener("agent", refreshSoon);  // the supervisor lists, one's own status
    source.addEventListener("resync", function () { app().refresh(); });
    source.addEventListener("logout", function () { stop(); app().refresh(); });
    source.onerror = function () {
      if (live.source !== source) { return; }
      disconnected();
      if (source.readyState === EventSource.CLOSED) {  // the browser stopped retrying
        app().refresh();  // a 401 here shows the login form
        live.reopen = window.setTimeout(function () { if (live.source === source) { start(); } }, REOPEN_MS);
      }
    };
  }

  function stop() {
    if (live.source) { live.source.close(); live.source = null; }
    window.clearTimeout(live.reopen);
    window.clearInterval(live.fallback);
    window.clearTimeout(live.refreshTimer);
    live.fallback = live.reopen = live.refreshTimer = null;
    showLost(false);
  }

  function parse(event) {
    try { return JSON.parse(event.data); } catch (error) { return {}; }
  }

  function connected() {
    live.lost = false;
    window.clearInterval(live.fallback);
    live.fallback = null;
    showLost(false);
  }

  function disconnected() {
    if (live.lost) { return; }
    live.lost = true;
    showLost(true);
    live.fallback = window.setInterval(function () { app().refresh(); }, FALLBACK_MS);
  }

  function showLost(lost) {
    var banner = $("live-status");
    banner.hidden = !lost;
    banner.textContent = lost ? "连接已断开，正在重连…" : "";
  }

  // Several events at once cost one refresh.
  function refreshSoon() {
    if (live.refreshTimer) { return; }
    live.refreshTimer = window.setTimeout(function () {
      live.refreshTimer = null;
      app().refresh();
    }, 150);
  }

  function onInbox() { refreshSoon(); }

  function onMessage(data) {
    if (data.conversation_id === app().currentId()) {
      app().refreshConversation();
    }
    if (data.direction === "user") { refreshSoon(); }  // previews, waits and unread counts
  }

  // ----- attention: the title and the beep -----
  function unread(total) {
    document.title = total > 0 ? "(" + total + ") 新消息 - 智客工作台" : TITLE;
    if (total > lastUnread && soundOn()) { beep(); }
    lastUnread = total;
  }

  function soundOn() {
    try { return window.localStorage.getItem(SOUND_KEY) === "on"; } catch (error) { return false; }
  }

  function setSound(on) {
    try { window.localStorage.setItem(SOUND_KEY, on ? "on" : "off"); } catch (error) { /* private mode */ }
    if (on) { beep(); }
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    try {
      audio = audio || new Context();
      var tone = audio.createOscillator(), gain = audio.createGain(), now = audio.currentTime;
      tone.type = "sine";
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, now);
      gain.gain.exponentialRampToValueAtTime(0.001, now + 0.2);
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start(now);
      tone.stop(now + 0.2);
    } catch (error) { /* no sound, no harm */ }
  }

  // ----- shortcuts -----
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function inConversations() { return !$("desk-view").hidden && !$("conv-view").hidden; }

  function onKey(event) {
    if (event.defaultPrevented || !app() || !app().me()) { return; }
    if (event.key === "Escape" && !$("shortcuts").hidden) { showHelp(false); return; }
    if (event.altKey && !event.ctrlKey && !event.metaKey && inConversations()) {
      if (event.code === "KeyN") { event.preventDefault(); acceptNext(); return; }
      if (event.code === "KeyW") { event.preventDefault(); closeCurrent(); return; }
    }
    if (event.key === "?" && !typing(event.target) && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      showHelp($("shortcuts").hidden);
    }
  }

  function acceptNext() {
    var button = document.querySelector("#queue .inbox-row button.accept:not(:disabled)");
    if (button) { button.click(); } else { util.notify("暂无排队的会话"); }
  }

  function closeCurrent() {
    if ($("composer").hidden || $("conversation-body").hidden) {
      util.notify("当前没有可结束的会话");
      return;
    }
    $("close").click();
  }

  var helpFrom = null;  // where the focus was before the help opened

  function showHelp(show) {
    var box = $("shortcuts");
    if (show === !box.hidden) { return; }
    box.hidden = !show;
    if (show) {
      helpFrom = document.activeElement;
      $("shortcuts-close").focus();
    } else if (helpFrom && helpFrom.focus) {
      helpFrom.focus();
      helpFrom = null;
    }
  }

  // The help dialog, the sound switch and the connection banner are made here.
  function build() {
    var bar = document.querySelector(".topbar");
    var banner = el("span", "live-status");
    banner.id = "live-status";
    banner.setAttribute("role", "status");
    banner.hidden = true;
    bar.insertBefore(banner, $("notice"));

    var sound = el("label", "toggle sound-toggle");
    var box = el("input");
    box.type = "checkbox";
    box.id = "sound-toggle";
    box.checked = soundOn();
    box.addEventListener("change", function () { setSound(box.checked); });
    sound.appendChild(box);
    sound.appendChild(el("span", null, "提示音"));
    bar.insertBefore(sound, $("notice"));

    var help = util.button("help-open", "快捷键", function () { showHelp(true); });
    help.id = "shortcuts-open";
    help.setAttribute("aria-keyshortcuts", "?");
    bar.insertBefore(help, $("logout"));

    var dialog = el("div", "shortcuts");
    dialog.id = "shortcuts";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "false");
    dialog.setAttribute("aria-labelledby", "shortcuts-title");
    dialog.hidden = true;
    var title = el("h2", null, "快捷键");
    title.id = "shortcuts-title";
    dialog.appendChild(title);
    var list = el("dl", "shortcut-list");
    SHORTCUTS.forEach(function (pair) {
      list.appendChild(el("dt", null, pair[0]));
      list.appendChild(el("dd", null, pair[1]));
    });
    dialog.appendChild(list);
    var close = util.button("primary", "知道了", function () { showHelp(false); });
    close.id = "shortcuts-close";
    dialog.appendChild(close);
    $("desk-view").appendChild(dialog);
    document.addEventListener("keydown", onKey);
  }

  document.addEventListener("DOMContentLoaded", build);
  util.live = { start: start, stop: stop, unread: unread, beep: beep };
})();
