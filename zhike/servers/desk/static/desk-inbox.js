/* 智客 坐席工作台: the inbox (排队中 and 我的会话) from GET /inbox.
   Rows are sorted by waiting time (the server's order); each names the customer, the
   channel in Chinese, the last message and a wait timer that turns red past the SLA.
   Customer messages in conversations that are not open count as unread: a badge on the
   row, and their total in the tab's title (desk-live.js). What was read is remembered in
   this browser (localStorage, per agent), so a reload does not mark everything unread. */
(function () {
  "use strict";

  var util = zhikeDesk, $ = util.$, el = util.el, clear = util.clear, label = util.label;
  var timers = [];  // {node, seconds, at}: the wait timers shown, ticking every second
  var read = null;  // conversation id -> customer messages the agent has seen (null: not loaded)
  var lengths = {};
  var unreadTotal = 0;

  function app() { return zhikeDesk.app; }

  function storeKey() {
    var me = app().me();
    return me && me.agent ? "zhike.desk.read." + me.agent.agent_id : null;
  }

  function loadRead() {
    read = {};
    try {
      var stored = JSON.parse(window.localStorage.getItem(storeKey()) || "{}");
      if (stored && typeof stored === "object") { read = stored; }
    } catch (error) { /* nothing remembered */ }
  }

  // Keeps the counts of the conversations still listed as mine.
  function saveRead(mine) {
    var kept = {};
    mine.forEach(function (entry) {
      var id = entry.conversation_id;
      if (read[id]) { kept[id] = read[id]; }
    });
    read = kept;
    try { window.localStorage.setItem(storeKey(), JSON.stringify(kept)); } catch (error) { /* full or private */ }
  }

  function waitText(seconds, kind) {
    return (kind === "reply" ? "待回复 " : "等待 ") + util.formatWait(seconds);
  }

  function tick() {
    var sla = util.LABELS.sla_seconds || 60;
    timers.forEach(function (timer) {
      var seconds = timer.seconds + Math.floor((Date.now() - timer.at) / 1000);
      timer.node.textContent = waitText(seconds, timer.kind);
      timer.node.className = seconds > sla ? "wait late" : "wait";
    });
  }

  function rowNode(entry, queued) {
    var current = app().currentId() === entry.conversation_id;
    var item = el("li", "inbox-row" + (current ? " current" : ""));
    item.dataset.conversationId = String(entry.conversation_id);
    item.dataset.senderId = entry.sender_id || "";
    var open = el("button", "row-main");
    open.type = "button";
    open.setAttribute("aria-label", entry.name + "，" + entry.channel_label +
      (queued ? "，排队中" : "，打开会话"));
    var head = el("span", "row-head");
    head.appendChild(el("span", "row-name", entry.name));
    head.appendChild(el("span", "tag channel", entry.channel_label));
    if (queued || app().isSupervisor()) {
      head.appendChild(el("span", "tag group", label("skill_groups", entry.skill_group)));
    }
    var unread = queued ? 0 : entry.user_messages - (read[entry.conversation_id] || 0);
    if (current) { unread = 0; }
    if (unread > 0) {
      unreadTotal += unread;
      var badge = el("span", "unread", String(unread));
      badge.setAttribute("aria-label", unread + " 条未读");
      head.appendChild(badge);
    }
    open.appendChild(head);
    var preview = entry.preview;
    var text = preview ? (preview.who === "agent" ? "我：" : "") + preview.text : "（暂无消息）";
    open.appendChild(el("span", "row-preview", text));
    if (entry.waiting_seconds !== null && entry.waiting_seconds !== undefined) {
      var wait = el("span", "wait");
      timers.push({ node: wait, seconds: entry.waiting_seconds, at: Date.now(), kind: entry.waiting });
      open.appendChild(wait);
    } else if (!queued) {
      open.appendChild(el("span", "wait done", "已回复"));
    }
    item.appendChild(open);
    if (queued) {
      var accept = util.button("accept primary", "接入", function () { app().accept(entry, accept); });
      accept.setAttribute("aria-label", "接入 " + entry.name);
      item.appendChild(accept);
    }
    open.addEventListener("click", function () { app().open(entry.conversation_id); });
    return item;
  }

  function render(data) {
    timers = [];
    unreadTotal = 0;
    if (read === null) { loadRead(); }
    var queue = $("queue"), mine = $("mine");
    clear(queue);
    clear(mine);
    (data.queue || []).forEach(function (entry) { queue.appendChild(rowNode(entry, true)); });
    (data.mine || []).forEach(function (entry) {
      if (app().currentId() === entry.conversation_id) { read[entry.conversation_id] = entry.user_messages; }
      mine.appendChild(rowNode(entry, false));
    });
    saveRead(data.mine || []);
    $("queue-count").textContent = String((data.queue || []).length);
    $("mine-count").textContent = String((data.mine || []).length);
    $("queue-empty").hidden = (data.queue || []).length > 0;
    $("mine-empty").hidden = (data.mine || []).length > 0;
    if (data.sla_seconds) { util.LABELS.sla_seconds = data.sla_seconds; }
    lengths = data.queue_lengths || {};
    renderTransferOptions();
    tick();
    util.live.unread(unreadTotal);
  }

  // The transfer targets with how many wait in each group now.
  function renderTransferOptions() {
    var select = $("transfer-group");
    Array.prototype.forEach.call(select.options, function (option) {
      var waiting = lengths[option.value];
      option.textContent = label("skill_groups", option.value) +
        (waiting === undefined ? "" : "（排队 " + waiting + " 人）");
    });
  }

  function markRead(id, count) {
    if (read === null) { loadRead(); }
    read[id] = Math.max(read[id] || 0, count || 0);
  }

  function reset() { timers = []; read = null; lengths = {}; unreadTotal = 0; util.live.unread(0); }

  window.setInterval(tick, 1000);
  util.inbox = { render: render, markRead: markRead, reset: reset, tick: tick };
})();
