/* 智客 坐席工作台: the desk's single-page app. Text is only ever set with textContent. */
(function () {
  "use strict";

  var util = zhikeDesk;
  var GROUPS = util.GROUPS, WHO = util.WHO, STATES = util.STATES, CANNED = util.CANNED;
  var ERRORS = util.ERRORS, $ = util.$, el = util.el, clear = util.clear;
  var describe = util.describe, notify = util.notify;
  var formatWait = util.formatWait, formatTime = util.formatTime;
  var POLL_MS = 2500;
  var ROLE_NAMES = { agent: "坐席", supervisor: "主管", editor: "坐席 · 知识编辑", reviewer: "坐席 · 知识审核" };

  var state = { csrf: null, me: null, conv: null, lastSeq: 0, seen: {}, timer: null, busy: false };
  var api = util.makeApi(function () { return state.csrf; }, function () { showLogin(); });

  function showLogin() {
    stopPolling();
    state.csrf = state.me = null;
    closeView();
    zhikeKb.reset();
    $("desk-view").hidden = true;
    $("login-view").hidden = false;
    $("login-username").focus();
  }

  function login(event) {
    event.preventDefault();
    var error = $("login-error");
    error.hidden = true;
    $("login-submit").disabled = true;
    api("POST", "/login", {
      username: $("login-username").value.trim(),
      password: $("login-password").value
    }).then(function (me) {
      $("login-password").value = "";
      showDesk(me);
    }, function (failure) {
      error.textContent = describe(failure);
      error.hidden = false;
    }).then(function () { $("login-submit").disabled = false; });
  }

  function logout() { api("POST", "/logout").then(showLogin, showLogin); }

  function showDesk(me) {
    state.csrf = me.csrf_token;
    setMe(me.account, me.agent);
    $("login-view").hidden = true;
    $("desk-view").hidden = false;
    $("supervisor").hidden = me.account.role !== "supervisor";
    notify("");
    startPolling();
    route();
  }

  // "#kb" (or "#kb/<id>") shows the knowledge base, anything else the conversations.
  function route() {
    if (!state.csrf) { return; }
    var kb = location.hash.indexOf("#kb") === 0;
    $("conv-view").hidden = kb;
    $("kb-view").hidden = !kb;
    $("tab-conv").className = kb ? "tab" : "tab current";
    $("tab-kb").className = kb ? "tab current" : "tab";
    $("tab-conv").setAttribute("aria-current", kb ? "false" : "page");
    $("tab-kb").setAttribute("aria-current", kb ? "page" : "false");
    if (kb) { zhikeKb.show(location.hash.slice(3)); }
  }

  function setMe(account, agent) {
    state.me = { account: account || state.me.account, agent: agent };
    $("agent-name").textContent = agent.name;
    $("agent-role").textContent = ROLE_NAMES[state.me.account.role] || "坐席";
    $("agent-load").textContent = "接待 " + agent.active + "/" + agent.max_concurrent;
    $("online-toggle").checked = agent.online;
    $("online-label").textContent = agent.online ? "在线" : "离线";
    $("online-toggle").parentNode.className = agent.online ? "toggle on" : "toggle";
    renderMine(agent.conversation_ids || []);
  }

  function toggleOnline() {
    var wanted = $("online-toggle").checked;
    api("POST", "/me/status", { online: wanted }).then(function (data) {
      setMe(null, data.agent);
      notify(wanted ? "已上线，可以接入会话" : "已离线");
    }, function (error) {
      $("online-toggle").checked = !wanted;
      notify(describe(error), true);
    });
  }

  function startPolling() {
    stopPolling();
    poll();
    state.timer = window.setInterval(poll, POLL_MS);
  }

  function stopPolling() { window.clearInterval(state.timer); state.timer = null; }

  function poll() {
    if (state.busy || !state.csrf) { return; }
    state.busy = true;
    var work = [
      api("GET", "/queue").then(renderQueue),
      api("GET", "/me").then(function (me) { setMe(me.account, me.agent); })
    ];
    if (state.conv) { work.push(refreshConversation()); }
    if (state.me && state.me.account.role === "supervisor") {
      work.push(api("GET", "/supervisor/queues").then(renderSupQueues));
      work.push(api("GET", "/supervisor/agents").then(renderSupAgents));
      work.push(api("GET", "/supervisor/conversations").then(renderSupLive));
    }
    Promise.all(work).catch(function (error) {
      if (error.status !== 401) { notify(describe(error), true); }
    }).then(function () { state.busy = false; });
  }

  function renderQueue(data) {
    var list = $("queue");
    var total = 0;
    clear(list);
    Object.keys(data.groups || {}).forEach(function (group) {
      data.groups[group].forEach(function (entry) {
        total += 1;
        var item = el("li", "queue-item");
        item.dataset.conversationId = String(entry.conversation_id);
        var info = el("span", "grow");
        info.appendChild(el("div", null, (GROUPS[group] || group) + " · " + entry.channel));
        info.appendChild(el("div", "muted", entry.sender_id));
        item.appendChild(info);
        item.appendChild(el("span", "wait", formatWait(entry.waiting_seconds)));
        var accept = el("button", "accept primary", "接入");
        accept.type = "button";
        accept.addEventListener("click", function () { acceptConversation(entry, accept); });
        item.appendChild(accept);
        list.appendChild(item);
      });
    });
    $("queue-count").textContent = String(total);
    $("queue-empty").hidden = total > 0;
  }

  function acceptConversation(entry, button) {
    button.disabled = true;
    api("POST", "/conversations/" + entry.conversation_id + "/accept").then(function () {
      notify("已接入会话 #" + entry.conversation_id);
      openConversation(entry.conversation_id);
      poll();
    }, function (error) {
      button.disabled = false;
      notify(describe(error), true);
    });
  }

  function renderMine(ids) {
    var list = $("mine");
    clear(list);
    ids.forEach(function (id) {
      var item = el("li", "clickable mine-item", "会话 #" + id);
      if (state.conv && state.conv.id === id) { item.className += " current"; }
      item.addEventListener("click", function () { openConversation(id); });
      list.appendChild(item);
    });
    if (!ids.length) { list.appendChild(el("li", "muted", "暂无")); }
  }

  function renderSupQueues(data) {
    var list = $("sup-queues");
    clear(list);
    Object.keys(data.groups || {}).forEach(function (group) {
      var info = data.groups[group];
      list.appendChild(el("li", null, (GROUPS[group] || group) + "：排队 " + info.waiting +
        "，最长等待 " + formatWait(info.longest_wait_seconds)));
    });
  }

  function renderSupAgents(data) {
    var list = $("sup-agents");
    clear(list);
    (data.agents || []).forEach(function (agent) {
      var item = el("li", "sup-agent");
      item.appendChild(el("span", "grow", agent.name + "（" + (agent.online ? "在线" : "离线") + "）"));
      item.appendChild(el("span", "muted", agent.active + "/" + agent.max_concurrent));
      list.appendChild(item);
    });
  }

  function renderSupLive(data) {
    var list = $("sup-live");
    clear(list);
    (data.conversations || []).forEach(function (conv) {
      var label = "#" + conv.id + " " + (STATES[conv.state] || conv.state) + " · " +
        (GROUPS[conv.skill_group] || conv.skill_group) + (conv.agent_id ? " · " + conv.agent_id : "");
      var item = el("li", "clickable sup-live-item", label);
      item.addEventListener("click", function () { openConversation(conv.id); });
      list.appendChild(item);
    });
    if (!list.firstChild) { list.appendChild(el("li", "muted", "暂无")); }
  }

  function closeView() {
    state.conv = null; state.lastSeq = 0; state.seen = {};
    $("conversation-body").hidden = true;
    $("summary-panel").hidden = true;
    $("no-conversation").hidden = false;
  }

  function openConversation(id) {
    state.conv = { id: id }; state.lastSeq = 0; state.seen = {};
    clear($("transcript"));
    $("send-status").textContent = "";
    return api("GET", "/conversations/" + id).then(function (data) {
      if (!state.conv || state.conv.id !== id) { return; }
      showConversation(data);
      $("reply").focus();
    }, function (error) { notify(describe(error), true); });
  }

  function refreshConversation() {
    var id = state.conv.id;
    return api("GET", "/conversations/" + id + "?after_seq=" + state.lastSeq).then(function (data) {
      if (state.conv && state.conv.id === id) { showConversation(data); }
    });
  }

  function showConversation(data) {
    var conv = data.conversation;
    var mine = conv.state === "agent" && state.me && conv.agent_id === state.me.agent.agent_id;
    state.conv = conv;
    $("no-conversation").hidden = true;
    $("conversation-body").hidden = false;
    $("summary-panel").hidden = false;
    $("conv-title").textContent = "会话 #" + conv.id + " · " + conv.sender_id +
      (conv.customer_id ? "（客户 " + conv.customer_id + "）" : "");
    $("conv-state").textContent = (STATES[conv.state] || conv.state) +
      (conv.disposition ? "（" + conv.disposition + "）" : "");
    $("conv-readonly").hidden = mine;
    $("composer").hidden = !mine;
    renderSummary(conv.summary || {});
    (data.messages || []).forEach(addMessage);
  }

  function addMessage(message) {
    if (state.seen[message.seq]) { return; }
    state.seen[message.seq] = true;
    state.lastSeq = Math.max(state.lastSeq, message.seq);
    var item = el("li", "msg from-" + message.direction);
    item.dataset.seq = String(message.seq);
    item.appendChild(el("span", "who", (WHO[message.direction] || message.direction) + " " +
      formatTime(message.created_at)));
    item.appendChild(el("span", "text", message.text));
    var list = $("transcript");
    var after = null;
    Array.prototype.forEach.call(list.children, function (other) {
      if (!after && Number(other.dataset.seq) > message.seq) { after = other; }
    });
    list.insertBefore(item, after);
    list.scrollTop = list.scrollHeight;
  }

  function renderSummary(summary) {
    var dl = $("summary");
    clear(dl);
    if (summary.reason) {
      dl.appendChild(el("dt", null, "转接原因"));
      dl.appendChild(el("dd", "summary-reason", summary.reason));
    }
    if (summary.ticket_id) {
      dl.appendChild(el("dt", null, "工单"));
      dl.appendChild(el("dd", "summary-ticket", summary.ticket_id));
    }
    dl.appendChild(el("dt", null, "意图"));
    dl.appendChild(el("dd", "summary-intent", summary.intent || "—"));
    var slots = summary.slots || {};
    Object.keys(slots).forEach(function (name) {
      dl.appendChild(el("dt", null, name));
      var value = slots[name];
      dl.appendChild(el("dd", null, typeof value === "string" ? value : JSON.stringify(value)));
    });
    var recent = $("recent");
    clear(recent);
    (summary.recent_messages || []).forEach(function (text) {
      recent.appendChild(el("li", null, text));
    });
  }

  function sendReply() {
    var box = $("reply");
    var text = box.value;
    var status = $("send-status");
    if (!state.conv || !text.trim()) { status.textContent = ERRORS.empty_message; return; }
    var id = state.conv.id;
    var clientId = "d" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    $("send").disabled = true;
    status.textContent = "发送中…";
    api("POST", "/conversations/" + id + "/messages", { text: text, client_message_id: clientId })
      .then(function (data) {
        box.value = "";
        if (state.conv && state.conv.id === id) { addMessage(data.message); }
        status.textContent = data.delivered === false ? "已保存，暂未送达，将自动重试" : "已送达";
      }, function (error) {
        status.textContent = "发送失败：" + describe(error);
      }).then(function () { $("send").disabled = false; });
  }

  function onReplyKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendReply();
    }
  }

  function transfer() {
    var group = $("transfer-group").value;
    var id = state.conv && state.conv.id;
    if (!id) { return; }
    api("POST", "/conversations/" + id + "/transfer", { skill_group: group }).then(function () {
      notify("会话 #" + id + " 已转接到" + (GROUPS[group] || group));
      closeView();
      poll();
    }, function (error) { notify(describe(error), true); });
  }

  function closeConversation() {
    var disposition = $("disposition").value;
    var id = state.conv && state.conv.id;
    if (!id) { return; }
    api("POST", "/conversations/" + id + "/close", { disposition: disposition }).then(function (data) {
      notify("会话 #" + id + " 已结束，已交还机器人");
      if (state.conv && state.conv.id === id) { showConversation({ conversation: data.conversation }); }
      poll();
    }, function (error) { notify(describe(error), true); });
  }

  function setup() {
    var canned = $("canned");
    CANNED.forEach(function (text) {
      var button = el("button", "canned-item", text);
      button.type = "button";
      button.addEventListener("click", function () { $("reply").value = text; $("reply").focus(); });
      canned.appendChild(button);
    });
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", logout);
    $("online-toggle").addEventListener("change", toggleOnline);
    $("send").addEventListener("click", sendReply);
    $("reply").addEventListener("keydown", onReplyKey);
    $("transfer").addEventListener("click", transfer);
    $("close").addEventListener("click", closeConversation);
    window.addEventListener("hashchange", route);
    zhikeKb.init(function () { return state.csrf; }, function () { showLogin(); });
    api("GET", "/me").then(showDesk, showLogin);
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
