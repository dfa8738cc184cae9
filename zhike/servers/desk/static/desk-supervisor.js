/* 智客 坐席工作台: the supervisor's actions on live conversations (进行中的会话) — 查看 opens
   one read-only, 转派 gives it to another online agent with a free seat, picked from a list.
   Loaded after desk-util.js; desk.js calls zhikeDesk.supervisor.decorate(item, conv) for each
   row it renders. Text is only ever set with textContent. */
(function (util) {
  "use strict";

  var $ = util.$, el = util.el, clear = util.clear;
  var ERRORS = {
    agent_offline: "该坐席已离线，请选择其他坐席", agent_at_capacity: "该坐席接待已满，请选择其他坐席",
    not_reassignable: "该会话已结束，无法转派", agent_not_found: "坐席不存在",
    conversation_not_found: "会话不存在", supervisor_only: "仅主管可以转派会话"
  };
  var current = null; // the conversation whose 转派 picker is open

  function describe(error) { return ERRORS[error.code] || util.describe(error); }

  // The picker lives outside the live list, which is rebuilt on every refresh.
  function panel() {
    var found = $("reassign-panel");
    if (found) { return found; }
    var box = el("div", "reassign-panel");
    box.id = "reassign-panel";
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", "reassign-title");
    box.hidden = true;
    var title = el("p", "reassign-title");
    title.id = "reassign-title";
    var label = el("label", null, "转派给");
    label.htmlFor = "reassign-agent";
    var select = el("select");
    select.id = "reassign-agent";
    var confirm = util.button("primary", "确定转派", submit);
    confirm.id = "reassign-confirm";
    var cancel = util.button(null, "取消", hide);
    cancel.id = "reassign-cancel";
    [title, label, select, confirm, cancel].forEach(function (node) { box.appendChild(node); });
    box.addEventListener("keydown", function (event) { if (event.key === "Escape") { hide(); } });
    $("sup-live").parentNode.insertBefore(box, $("sup-live").nextSibling);
    return box;
  }

  function hide() {
    var box = $("reassign-panel");
    if (box) { box.hidden = true; }
    current = null;
  }

  function open(conv) {
    current = conv;
    var box = panel(), select = $("reassign-agent");
    $("reassign-title").textContent = "转派会话 #" + conv.id;
    clear(select);
    $("reassign-confirm").disabled = true;
    box.hidden = false;
    util.app.api("GET", "/supervisor/agents").then(function (data) {
      if (current !== conv) { return; }
      (data.agents || []).forEach(function (agent) {
        if (!agent.online || agent.free <= 0 || agent.agent_id === conv.agent_id) { return; }
        var option = el("option", null, agent.name + "（接待 " + agent.active + "/" + agent.max_concurrent + "）");
        option.value = agent.agent_id;
        select.appendChild(option);
      });
      if (!select.options.length) {
        var none = el("option", null, "暂无可接待的在线坐席");
        none.value = "";
        select.appendChild(none);
      }
      $("reassign-confirm").disabled = !select.value;
      select.focus();
    }, function (error) { util.notify(describe(error), true); });
  }

  function submit() {
    var conv = current, select = $("reassign-agent");
    if (!conv || !select.value) { return; }
    var name = select.options[select.selectedIndex].textContent.replace(/（.*$/, "");
    $("reassign-confirm").disabled = true;
    util.app.api("POST", "/supervisor/conversations/" + conv.id + "/reassign", { agent_id: select.value })
      .then(function () {
        hide();
        util.notify("已将会话 #" + conv.id + " 转派给 " + name);
        util.app.poll();
      }, function (error) {
        $("reassign-confirm").disabled = false;
        util.notify(describe(error), true);
      });
  }

  // Adds 查看 (read-only) and, for a live one, 转派 to a row of 进行中的会话.
  function decorate(item, conv) {
    var view = util.button("sup-view", "查看", function () { util.app.open(conv.id); });
    view.setAttribute("aria-label", "查看会话 #" + conv.id + "（只读）");
    item.appendChild(view);
    if (conv.state === "agent" || conv.state === "queued") {
      var move = util.button("sup-reassign", "转派", function () { open(conv); });
      move.setAttribute("aria-label", "转派会话 #" + conv.id);
      item.appendChild(move);
    }
  }

  util.supervisor = { decorate: decorate, hide: hide };
})(zhikeDesk);
