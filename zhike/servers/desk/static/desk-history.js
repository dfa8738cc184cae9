/* 智客 坐席工作台: the sub-tabs of 会话 — 当前会话 (the inbox), 历史会话 and 留言.
   历史会话 searches closed conversations (GET /history: customer, order number, dates); one
   opens read-only in the conversation column with its timeline, its disposition and rating.
   留言 lists the 转人工 requests made after hours or with nobody online (GET /tickets);
   the agent answers them elsewhere (phone, ticket) and marks each handled with a note.
   The sub-tabs and both panes are built here; the inbox's markup moves into 当前会话. */
(function () {
  "use strict";

  var util = zhikeDesk, $ = util.$, el = util.el, clear = util.clear, label = util.label;
  var PANES = ["inbox", "history", "tickets"];
  var view = { pane: "inbox", page: 1, pages: 1, searched: false };

  function app() { return zhikeDesk.app; }

  function select(pane) {
    view.pane = pane;
    PANES.forEach(function (name) {
      var tab = $("sub-tab-" + name), on = name === pane;
      tab.className = on ? "sub-tab current" : "sub-tab";
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      $(name + "-pane").hidden = !on;
    });
    if (pane === "history" && !view.searched) { search(1); }
    if (pane === "tickets") { loadTickets(); }
  }

  // Arrow keys move between the sub-tabs (the tablist pattern).
  function onTabKey(event) {
    var at = PANES.indexOf(view.pane), next = null;
    if (event.key === "ArrowRight") { next = PANES[(at + 1) % PANES.length]; }
    if (event.key === "ArrowLeft") { next = PANES[(at + PANES.length - 1) % PANES.length]; }
    if (next) {
      event.preventDefault();
      select(next);
      $("sub-tab-" + next).focus();
    }
  }

  // ----- 历史会话 -----
  function query(page) {
    var parts = ["page=" + page];
    [["q", "history-q"], ["order", "history-order"], ["since", "history-since"], ["until", "history-until"]]
      .forEach(function (pair) {
        var value = $(pair[1]).value.trim();
        if (value) { parts.push(pair[0] + "=" + encodeURIComponent(value)); }
      });
    return parts.join("&");
  }

  function search(page) {
    var error = $("history-error");
    error.hidden = true;
    view.searched = true;
    $("history-go").disabled = true;
    return app().api("GET", "/history?" + query(page)).then(function (data) {
      view.page = data.page;
      view.pages = Math.max(1, Math.ceil(data.total / data.page_size));
      renderHistory(data);
    }, function (failure) {
      error.textContent = HISTORY_ERRORS[failure.code] || util.describe(failure);
      error.hidden = false;
    }).then(function () { $("history-go").disabled = false; });
  }

  var HISTORY_ERRORS = {
    invalid_order: "订单号只能包含字母、数字和“-”",
    invalid_range: "开始日期不能晚于结束日期",
    invalid_since: "请填写正确的开始日期",
    invalid_until: "请填写正确的结束日期",
    invalid_q: "客户关键词最多 50 个字"
  };

  function historyRow(item) {
    var row = el("li", "history-row");
    row.dataset.conversationId = String(item.conversation_id);
    var open = el("button", "row-main");
    open.type = "button";
    open.setAttribute("aria-label", "查看 " + item.name + " 的历史会话");
    var head = el("span", "row-head");
    head.appendChild(el("span", "row-name", item.name));
    head.appendChild(el("span", "tag channel", item.channel_label));
    open.appendChild(head);
    var facts = el("span", "row-preview");
    facts.textContent = util.formatDate(item.closed_at) + " · " + item.disposition_label +
      (item.agent_name ? " · " + item.agent_name : "");
    open.appendChild(facts);
    open.appendChild(el("span", "rating", item.rating ? "评分 " + item.rating + "/5" : "未评价"));
    open.addEventListener("click", function () { app().open(item.conversation_id); });
    row.appendChild(open);
    return row;
  }

  function renderHistory(data) {
    var list = $("history-list");
    clear(list);
    (data.items || []).forEach(function (item) { list.appendChild(historyRow(item)); });
    $("history-summary").textContent = data.total ?
      "共 " + data.total + " 个会话，第 " + view.page + "/" + view.pages + " 页" : "没有找到符合条件的历史会话";
    $("history-prev").disabled = view.page <= 1;
    $("history-next").disabled = view.page >= view.pages;
  }

  // ----- 留言 -----
  function loadTickets() {
    var status = $("tickets-status").value;
    return app().api("GET", "/tickets?status=" + status).then(function (data) {
      renderTickets(data, status);
    }, function (failure) { $("tickets-summary").textContent = util.describe(failure); });
  }

  // How many 留言 wait (the badge on the sub-tab), asked when the live stream (re)connects.
  function count() {
    return app().api("GET", "/tickets?status=open").then(function (data) {
      $("tickets-count").textContent = String(data.total);
      $("tickets-count").hidden = !data.total;
    }, function () { /* the badge stays as it was */ });
  }

  function renderTickets(data, status) {
    var list = $("tickets-list");
    clear(list);
    (data.items || []).forEach(function (item) { list.appendChild(ticketNode(item)); });
    $("tickets-summary").textContent = data.total ? "共 " + data.total + " 条" :
      (status === "open" ? "太好了，留言都已处理完" : "暂无已处理的留言");
    if (status === "open") {
      $("tickets-count").textContent = String(data.total);
      $("tickets-count").hidden = !data.total;
    }
  }

  function ticketNode(item) {
    var node = el("li", "ticket" + (item.handled ? " handled" : ""));
    node.dataset.conversationId = String(item.conversation_id);
    var head = el("div", "row-head");
    head.appendChild(el("span", "row-name", item.name));
    head.appendChild(el("span", "tag channel", item.channel_label));
    head.appendChild(el("span", "tag group", label("skill_groups", item.skill_group)));
    node.appendChild(head);
    node.appendChild(el("p", "muted ticket-when",
      util.formatDate(item.handoff_requested_at) + " · " + item.disposition_label));
    var facts = el("dl", "ticket-facts");
    if (item.reason) { pair(facts, "转人工原因", item.reason); }
    if (item.intent) { pair(facts, "意图", label("intents", item.intent)); }
    Object.keys(item.slots || {}).forEach(function (name) {
      var value = item.slots[name];
      pair(facts, label("slots", name), typeof value === "string" ? value : JSON.stringify(value));
    });
    node.appendChild(facts);
    if ((item.recent_messages || []).length) {
      var said = el("ol", "recent");
      said.setAttribute("aria-label", "客户最近说");
      item.recent_messages.forEach(function (text) { said.appendChild(el("li", null, text)); });
      node.appendChild(said);
    }
    if (item.handled) {
      node.appendChild(el("p", "ticket-note", "已处理（" + (item.handled_by || "") + " " +
        util.formatDate(item.handled_at) + "）：" + item.note));
    } else {
      node.appendChild(handleForm(item));
    }
    return node;
  }

  function pair(dl, term, text) {
    dl.appendChild(el("dt", null, term));
    dl.appendChild(el("dd", null, text));
  }

  function handleForm(item) {
    var form = el("div", "ticket-handle");
    var note = el("textarea");
    note.rows = 2;
    note.maxLength = 500;
    note.placeholder = "处理备注，例如：已电话回复客户";
    note.setAttribute("aria-label", "处理备注：" + item.name);
    var go = util.button("primary", "标记已处理", function () {
      if (!note.value.trim()) { util.notify("请先填写处理备注", true); note.focus(); return; }
      go.disabled = true;
      app().api("POST", "/tickets/" + item.conversation_id + "/handle", { note: note.value })
        .then(function () {
          util.notify("已标记为已处理，谢谢");
          loadTickets();
        }, function (failure) {
          go.disabled = false;
          util.notify(failure.code === "already_handled" ? "这条留言已由其他同事处理" : util.describe(failure), true);
          if (failure.code === "already_handled") { loadTickets(); }
        });
    });
    form.appendChild(note);
    form.appendChild(go);
    return form;
  }

  // ----- the markup -----
  function node(tag, attrs, children) {
    var made = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { made.textContent = attrs.text; } else { made.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { made.appendChild(child); });
    return made;
  }

  function field(text, attrs) {
    return node("label", {}, [document.createTextNode(text), node("input", attrs)]);
  }

  function tab(name, text, extra) {
    var on = name === "inbox";
    return node("button", { id: "sub-tab-" + name, type: "button", role: "tab", "class": on ? "sub-tab current" : "sub-tab",
      "aria-selected": String(on), "aria-controls": name + "-pane", text: text }, extra || []);
  }

  function build() {
    var side = document.querySelector("#conv-view .sidebar");
    var inbox = node("div", { id: "inbox-pane", role: "tabpanel", "aria-labelledby": "sub-tab-inbox" });
    while (side.firstChild) { inbox.appendChild(side.firstChild); }
    var count = node("span", { id: "tickets-count", "class": "count", hidden: "" });
    var tickets = tab("tickets", "留言 ", [count]);
    side.appendChild(node("div", { "class": "sub-tabs", role: "tablist", "aria-label": "会话" },
      [tab("inbox", "当前会话"), tab("history", "历史会话"), tickets]));
    side.appendChild(inbox);
    side.appendChild(node("section", { id: "history-pane", "class": "history-pane", role: "tabpanel",
      "aria-labelledby": "sub-tab-history", hidden: "" }, [
      node("form", { id: "history-form", "class": "history-form", novalidate: "" }, [
        field("客户", { id: "history-q", type: "search", maxlength: "50", autocomplete: "off",
          placeholder: "姓名、客户编号或手机号后四位" }),
        field("订单号", { id: "history-order", maxlength: "40", autocomplete: "off", placeholder: "例如 HP20240001" }),
        node("div", { "class": "history-dates" }, [
          field("从", { id: "history-since", type: "date" }), field("到", { id: "history-until", type: "date" })
        ]),
        node("button", { id: "history-go", type: "submit", "class": "primary", text: "搜索" }),
        node("p", { id: "history-error", "class": "error", role: "alert", hidden: "" })
      ]),
      node("p", { id: "history-summary", "class": "muted", role: "status" }),
      node("ul", { id: "history-list", "class": "list inbox history-list" }),
      node("div", { "class": "history-pager" }, [
        node("button", { id: "history-prev", type: "button", text: "上一页" }),
        node("button", { id: "history-next", type: "button", text: "下一页" })
      ])
    ]));
    side.appendChild(node("section", { id: "tickets-pane", "class": "tickets-pane", role: "tabpanel",
      "aria-labelledby": "sub-tab-tickets", hidden: "" }, [
      node("label", {}, [document.createTextNode("显示"), node("select", { id: "tickets-status" }, [
        node("option", { value: "open", text: "待处理" }), node("option", { value: "handled", text: "已处理" })
      ])]),
      node("p", { id: "tickets-summary", "class": "muted", role: "status" }),
      node("ul", { id: "tickets-list", "class": "tickets-list" })
    ]));
  }

  function setup() {
    build();
    PANES.forEach(function (name) {
      $("sub-tab-" + name).addEventListener("click", function () { select(name); });
      $("sub-tab-" + name).addEventListener("keydown", onTabKey);
    });
    $("history-form").addEventListener("submit", function (event) { event.preventDefault(); search(1); });
    $("history-prev").addEventListener("click", function () { search(Math.max(1, view.page - 1)); });
    $("history-next").addEventListener("click", function () { search(view.page + 1); });
    $("tickets-status").addEventListener("change", loadTickets);
    select("inbox");
  }

  function reset() {
    view.searched = false;
    clear($("history-list"));
    clear($("tickets-list"));
    $("history-summary").textContent = "";
    select("inbox");
  }

  document.addEventListener("DOMContentLoaded", setup);
  util.history = { reset: reset, select: select, count: count };
})();
