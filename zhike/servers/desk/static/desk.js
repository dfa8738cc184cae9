/* 智客 坐席工作台: the desk's single-page app — login, refreshing on the live events
   (desk-live.js; no periodic polling), the supervisor lists and opening a conversation;
   the inbox, conversation, customer and assist parts are their own
   files (desk-*.js). Text is only ever set with textContent. */
(function () {
  "use strict";

  var util = zhikeDesk;
  var GROUPS = util.GROUPS, STATES = util.STATES;
  var $ = util.$, el = util.el, clear = util.clear;
  var describe = util.describe, notify = util.notify;
  var formatWait = util.formatWait;
  var ROLE_NAMES = { agent: "坐席", supervisor: "主管", editor: "坐席 · 知识编辑", reviewer: "坐席 · 知识审核" };

  var state = { csrf: null, me: null, conv: null, lastSeq: 0, lastUserSeq: 0, busy: false, again: false };
  var api = util.makeApi(function () { return state.csrf; }, function () { showLogin(); });

  function showLogin() {
    util.live.stop();
    state.csrf = state.me = null;
    closeView();
    util.inbox.reset();
    util.history.reset();
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
    api("GET", "/labels").then(function (labels) {
      util.setLabels(labels);
      util.conversation.renderDispositions();
    }).catch(function () { notify("界面文字加载失败，请刷新页面", true); });
    util.assist.loadCanned().catch(function () { notify("快捷回复加载失败", true); });
    refresh();  // at once, and again when the live stream is ready
    util.live.start();
    route();
  }

  // "#kb" (or "#kb/<id>") shows the knowledge base, anything else the conversations.
  function route() {
    if (!state.csrf) { return; }
    var kb = location.hash.indexOf("#kb") === 0, qa = location.hash.indexOf("#qa") === 0;
    zhikeQa.route(qa, state.me);  // the 质检 tab: its label by role, its view
    $("conv-view").hidden = kb || qa;
    $("kb-view").hidden = !kb;
    $("tab-conv").className = kb || qa ? "tab" : "tab current";
    $("tab-kb").className = kb ? "tab current" : "tab";
    $("tab-conv").setAttribute("aria-current", kb || qa ? "false" : "page");
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

  // Reads the inbox, the agent's load, the open conversation and the supervisor lists again
  // (after a live event or an action); a call while one runs runs once more afterwards.
  function refresh() {
    if (!state.csrf) { return; }
    if (state.busy) { state.again = true; return; }
    state.busy = true;
    state.again = false;
    var work = [
      api("GET", "/inbox").then(util.inbox.render),
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
    }).then(function () {
      state.busy = false;
      if (state.again) { refresh(); }
    });
  }

  function acceptConversation(entry, button) {
    button.disabled = true;
    api("POST", "/conversations/" + entry.conversation_id + "/accept").then(function () {
      notify("已接入 " + entry.name + " 的会话");
      openConversation(entry.conversation_id);
      refresh();
    }, function (error) {
      button.disabled = false;
      notify(describe(error), true);
    });
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
      var item = el("li", "sup-live-item");
      item.appendChild(util.button("row-main", label, function () { openConversation(conv.id); }));
      if (util.supervisor) { util.supervisor.decorate(item, conv); } // 查看, 转派 (desk-supervisor.js)
      list.appendChild(item);
    });
    if (!list.firstChild) { list.appendChild(el("li", "muted", "暂无")); }
  }

  function closeView() {
    state.conv = null; state.lastSeq = 0; state.lastUserSeq = 0;
    $("conversation-body").hidden = true;
    $("side-panel").hidden = true;
    $("no-conversation").hidden = false;
    if (util.assist) { util.assist.reset(); }
  }

  function openConversation(id) {
    state.conv = { id: id }; state.lastSeq = 0; state.lastUserSeq = 0;
    clear($("transcript"));
    delete $("transcript").dataset.shown;
    $("send-status").textContent = "";
    util.assist.reset();
    util.conversation.cancelClose();
    return api("GET", "/conversations/" + id).then(function (data) {
      if (!state.conv || state.conv.id !== id) { return; }
      showConversation(data, true);
      util.customer.load(data.conversation);
      $("reply").focus();
      refresh();  // the inbox marks it open and its messages read
    }, function (error) { notify(describe(error), true); });
  }

  function refreshConversation() {
    if (!state.conv) { return Promise.resolve(); }
    var id = state.conv.id;
    return api("GET", "/conversations/" + id + "?after_seq=" + state.lastSeq).then(function (data) {
      if (state.conv && state.conv.id === id) { showConversation(data, false); }
    });
  }

  function loadTimeline(id) {
    return api("GET", "/conversations/" + id + "/timeline").then(function (data) {
      if (state.conv && state.conv.id === id) { util.conversation.renderTimeline(data); }
    });
  }

  // Shows the conversation; the timeline is read again when something new happened.
  function showConversation(data, first) {
    var conv = data.conversation, before = state.conv || {};
    var mine = conv.state === "agent" && state.me && conv.agent_id === state.me.agent.agent_id;
    var changed = first || before.state !== conv.state || before.rating !== conv.rating ||
      before.skill_group !== conv.skill_group;
    var messages = data.messages || [];
    state.conv = conv;
    messages.forEach(function (message) {
      state.lastSeq = Math.max(state.lastSeq, message.seq);
      if (message.direction === "user") { state.lastUserSeq = Math.max(state.lastUserSeq, message.seq); }
    });
    $("no-conversation").hidden = true;
    $("conversation-body").hidden = false;
    $("side-panel").hidden = false;
    var row = document.querySelector('.inbox-row[data-conversation-id="' + conv.id + '"] .row-name');
    var title = row ? row.textContent : (conv.customer_id ? "客户 " + conv.customer_id : "访客");
    util.conversation.renderHead(conv, title);
    $("conv-readonly").hidden = mine;
    $("composer").hidden = !mine;
    util.conversation.renderSummary(conv);
    if (changed || messages.length) { loadTimeline(conv.id); }
    if (mine) { util.assist.load(conv, state.lastUserSeq); }
  }

  function seen(seq) { state.lastSeq = Math.max(state.lastSeq, seq); }

  function setup() {
    zhikeDesk.app = {
      api: api, refresh: refresh, refreshConversation: refreshConversation, accept: acceptConversation, open: openConversation,
      closeView: closeView, show: function (data) { showConversation(data, false); }, seen: seen,
      conv: function () { return state.conv; }, me: function () { return state.me; },
      currentId: function () { return state.conv ? state.conv.id : null; },
      isSupervisor: function () { return !!(state.me && state.me.account.role === "supervisor"); }
    };
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", logout);
    $("online-toggle").addEventListener("change", toggleOnline);
    util.conversation.setup();
    util.assist.setup();
    window.addEventListener("hashchange", route);
    zhikeKb.init(function () { return state.csrf; }, function () { showLogin(); });
    api("GET", "/me").then(showDesk, showLogin);
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
