/* 智客 坐席工作台: the open conversation — one timeline (GET /conversations/<id>/timeline:
   the bot's part with its buttons, the customer, the agents by name, system events), the
   bot's summary in Chinese labels, the reply box, 转接 and 结束会话 (asks to confirm). */
(function () {
  "use strict";

  var util = zhikeDesk, $ = util.$, el = util.el, clear = util.clear, label = util.label;
  var WHO = { user: "客户", bot: "机器人", system: "系统" };

  function app() { return zhikeDesk.app; }

  function whoOf(item) {
    if (item.kind === "agent") { return item.agent_name || "坐席"; }
    return WHO[item.kind] || item.kind;
  }

  function itemNode(item) {
    var node = el("li", "msg from-" + item.kind + " src-" + item.source);
    node.dataset.key = item.key;
    var head = el("span", "who", whoOf(item) + " " + util.formatTime(item.time));
    if (item.source === "bot" && item.kind === "user") { head.textContent += " · 与机器人对话"; }
    node.appendChild(head);
    var text = el("span", "text", item.text);
    if (item.clicked) {
      node.className += " clicked";
      text.textContent = "";
      text.appendChild(el("span", "tag click-tag", "点击了按钮"));
      text.appendChild(document.createTextNode(" " + item.text));
    }
    node.appendChild(text);
    if (item.buttons && item.buttons.length) {
      var offered = el("ul", "offered");
      offered.setAttribute("aria-label", "机器人提供的按钮");
      item.buttons.forEach(function (title) { offered.appendChild(el("li", "offered-button", title)); });
      node.appendChild(offered);
    }
    return node;
  }

  // Shows every item of the timeline, keeping the view at the bottom when it was there.
  function renderTimeline(data) {
    var list = $("transcript");
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    clear(list);
    (data.errors || []).forEach(function (error) {
      if (error.part === "bot") { list.appendChild(el("li", "msg from-system note", "机器人对话记录暂时无法读取")); }
    });
    (data.items || []).forEach(function (item) { list.appendChild(itemNode(item)); });
    if (atBottom || !list.dataset.shown) { list.scrollTop = list.scrollHeight; }
    list.dataset.shown = "1";
  }

  function addOwnReply(message) {
    // the live event of this reply may have brought the timeline with it already
    if ($("transcript").querySelector('[data-key="m:' + message.seq + '"]')) { return; }
    var name = app().me().agent.name;
    $("transcript").appendChild(itemNode({ key: "m:" + message.seq, kind: "agent", source: "desk",
      text: message.text, time: message.created_at, agent_name: name, buttons: [] }));
    $("transcript").scrollTop = $("transcript").scrollHeight;
  }

  function value(raw) {
    if (raw === null || raw === undefined) { return "—"; }
    return typeof raw === "string" ? raw : (typeof raw === "object" ? JSON.stringify(raw) : String(raw));
  }

  function pair(dl, term, text, className) {
    dl.appendChild(el("dt", null, term));
    dl.appendChild(el("dd", className || null, text));
  }

  function renderSummary(conv) {
    var summary = conv.summary || {};
    var dl = $("summary");
    clear(dl);
    pair(dl, "转接原因", summary.reason || "—", "summary-reason");
    pair(dl, "意图", summary.intent ? label("intents", summary.intent) : "未识别", "summary-intent");
    var slots = summary.slots || {};
    Object.keys(slots).forEach(function (name) {
      pair(dl, label("slots", name), value(slots[name]), "summary-slot");
    });
    if (!Object.keys(slots).length) { pair(dl, "已收集信息", "无", "summary-none"); }
    if (summary.ticket_id) { pair(dl, "已开工单", summary.ticket_id, "summary-ticket"); }
    pair(dl, "技能组", label("skill_groups", conv.skill_group));
    pair(dl, "渠道", label("channels", conv.channel));
    var recent = $("recent");
    clear(recent);
    (summary.recent_messages || []).forEach(function (text) { recent.appendChild(el("li", null, text)); });
    $("recent-title").hidden = !(summary.recent_messages || []).length;
  }

  function renderHead(conv, title) {
    $("conv-title").textContent = title;
    $("conv-channel").textContent = label("channels", conv.channel);
    var state = util.STATES[conv.state] || conv.state;
    $("conv-state").textContent = state + (conv.disposition ? "（" + label("dispositions", conv.disposition) + "）" : "") +
      (conv.state === "closed" && conv.rating ? " · 评分 " + conv.rating + "/5" : "");
  }

  function sendReply() {
    var box = $("reply"), status = $("send-status"), conv = app().conv();
    var text = box.value;
    if (!conv || !text.trim()) { status.textContent = util.ERRORS.empty_message; return; }
    var id = conv.id;
    var clientId = "d" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    $("send").disabled = true;
    status.textContent = "发送中…";
    app().api("POST", "/conversations/" + id + "/messages", { text: text, client_message_id: clientId })
      .then(function (data) {
        box.value = "";
        if (app().currentId() === id) { addOwnReply(data.message); app().seen(data.message.seq); }
        status.textContent = data.delivered === false ? "已保存，暂未送达，将自动重试" : "已送达";
      }, function (error) {
        status.textContent = "发送失败：" + util.describe(error);
      }).then(function () { $("send").disabled = false; });
  }

  function onReplyKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendReply();
    }
  }

  function transfer() {
    var group = $("transfer-group").value, conv = app().conv();
    if (!conv) { return; }
    app().api("POST", "/conversations/" + conv.id + "/transfer", { skill_group: group }).then(function () {
      util.notify("会话已转接到" + label("skill_groups", group) + "，感谢您的处理");
      app().closeView();
      app().refresh();
    }, function (error) { util.notify(util.describe(error), true); });
  }

  // 结束会话 first asks: the disposition starts empty every time and must be chosen.
  function askClose() {
    $("disposition").value = "";
    $("close-confirm-go").disabled = true;
    $("close-confirm").hidden = false;
    $("close").disabled = true;
    $("disposition").focus();
  }

  function cancelClose() {
    $("close-confirm").hidden = true;
    $("close").disabled = false;
    $("close").focus();
  }

  function closeConversation() {
    var disposition = $("disposition").value, conv = app().conv();
    if (!conv || !disposition) { return; }
    var id = conv.id;
    $("close-confirm-go").disabled = true;
    app().api("POST", "/conversations/" + id + "/close", { disposition: disposition }).then(function (data) {
      util.notify("会话已结束，已交还机器人");
      $("close-confirm").hidden = true;
      $("close").disabled = false;
      if (app().currentId() === id) { app().show({ conversation: data.conversation }); }
      app().refresh();
    }, function (error) {
      $("close-confirm-go").disabled = false;
      util.notify(util.describe(error), true);
    });
  }

  function renderDispositions() {
    var select = $("disposition");
    while (select.options.length > 1) { select.remove(1); }
    var reasons = util.LABELS.close_reasons || Object.keys(util.LABELS.dispositions || {});
    reasons.forEach(function (code) {
      var option = el("option", null, label("dispositions", code));
      option.value = code;
      select.appendChild(option);
    });
  }

  function setup() {
    $("send").addEventListener("click", sendReply);
    $("reply").addEventListener("keydown", onReplyKey);
    $("transfer").addEventListener("click", transfer);
    $("close").addEventListener("click", askClose);
    $("close-cancel").addEventListener("click", cancelClose);
    $("close-confirm-go").addEventListener("click", closeConversation);
    $("disposition").addEventListener("change", function () {
      $("close-confirm-go").disabled = !$("disposition").value;
    });
    $("close-confirm").addEventListener("keydown", function (event) {
      if (event.key === "Escape") { cancelClose(); }
    });
  }

  util.conversation = {
    setup: setup, renderTimeline: renderTimeline, renderSummary: renderSummary,
    renderHead: renderHead, renderDispositions: renderDispositions, cancelClose: cancelClose
  };
})();
