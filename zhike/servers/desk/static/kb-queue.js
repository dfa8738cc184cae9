/* 智客 知识库: the 待完善问题 view (unanswered questions), 试一试 and the coverage rate.
   Loaded before kb.js, which starts it with the API client, the role and its entry form. */
var zhikeKbQueue = (function () {
  "use strict";

  var util = zhikeDesk, form = zhikeKbForm;
  var $ = util.$, el = util.el, clear = util.clear, notify = util.notify;
  var LIMIT = 100;
  var REASONS = { fallback: "未能回答", rejected: "都不是", handoff: "转人工", low_rating: "差评" };
  var DECISIONS = {
    answer: ["直接回答", "机器人会直接用第一条知识的答案回复客户。"],
    suggest: ["推荐问题", "机器人会问客户“您是想问：”，并把前 3 个问题作为按钮列出。"],
    none: ["无法回答", "机器人会说明暂时无法回答并提供转人工，这句话会进入待完善问题。"]
  };
  var ERRORS = { invalid_q: "请输入要试的问法（200 字以内）", invalid_entry_id: "请选择一条知识" };
  var VIEWS = {
    list: ["kb-tab-list", "kb-list-pane"],
    queue: ["kb-tab-queue", "kb-queue-pane"],
    "try": ["kb-tab-try", "kb-try-pane"]
  };
  var ORDER = ["list", "queue", "try"];
  var state = { api: null, may: null, host: null, view: "list", busy: false, timer: null };

  function describe(error) { return ERRORS[error.code] || form.describe(error); }
  function failed(error) { notify(describe(error), true); }

  function button(text, className, onClick) {
    var node = el("button", className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  // `host`: {openEntry(id), showEntry(entry), newEntry(prefill, groupId), closeDetail()}
  // from kb.js.
  function start(api, may, host) {
    state.api = api; state.may = may; state.host = host;
    coverage();
    loadQueue();
  }

  function reset() {
    state.may = null;
    setView("list", true);
    clear($("kb-queue-list"));
    clear($("kb-try-result"));
  }

  function coverage() {
    var box = $("kb-coverage"), rate = $("kb-coverage-rate");
    return state.api("GET", "/coverage?days=7").then(function (c) {
      if (c.rate === null) {
        rate.textContent = "暂无数据";
        box.title = "近7天还没有客户提问";
        return;
      }
      rate.textContent = Math.round(c.rate * 100) + "%";
      box.title = "近7天客户提问 " + c.questions + " 个，其中 " + c.covered +
        " 个由知识库直接解答（之后没有转人工或差评）";
    }, function () { rate.textContent = "暂无数据"; box.title = ""; });
  }

  function view() { return state.view; }

  // A phone shows one thing at a time: choosing a view leaves the open entry (as 返回 does).
  function narrow() { return window.matchMedia && window.matchMedia("(max-width: 720px)").matches; }

  function setView(name, quiet) {
    if (!quiet && narrow() && !$("kb-detail").hidden) { state.host.closeDetail(); }
    state.view = name;
    ORDER.forEach(function (key) {
      var on = key === name, tab = $(VIEWS[key][0]);
      tab.classList.toggle("current", on);
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      $(VIEWS[key][1]).hidden = !on;
    });
    $("kb-bar").hidden = $("kb-summary").hidden = name !== "list";
    if (name !== "list") { $("kb-import").hidden = true; }
    if (quiet) { return; }
    if (name === "queue") { loadQueue(); coverage(); }
    if (name === "try") { $("kb-try-input").focus(); }
  }

  // Left/Right (and Home/End) move between the three tabs, as in any tab list.
  function onTabKey(event) {
    var at = ORDER.indexOf(state.view), next = null;
    if (event.key === "ArrowRight") { next = ORDER[(at + 1) % ORDER.length]; }
    if (event.key === "ArrowLeft") { next = ORDER[(at + ORDER.length - 1) % ORDER.length]; }
    if (event.key === "Home") { next = ORDER[0]; }
    if (event.key === "End") { next = ORDER[ORDER.length - 1]; }
    if (next === null) { return; }
    event.preventDefault();
    setView(next);
    $(VIEWS[next][0]).focus();
  }

  // ---- 待完善问题 ----

  function since() {
    var days = $("kb-queue-days").value;
    return days ? "&since=" + encodeURIComponent(new Date(Date.now() - days * 86400000).toISOString()) : "";
  }

  function loadQueue() {
    return state.api("GET", "/unanswered?limit=" + LIMIT + since()).then(renderQueue, failed);
  }

  function renderQueue(data) {
    var list = $("kb-queue-list");
    clear(list);
    data.groups.forEach(function (group) { list.appendChild(groupItem(group)); });
    countShown(data.groups.length);
  }

  function countShown(n) {
    var count = $("kb-queue-count");
    count.hidden = !n;
    count.textContent = n >= LIMIT ? LIMIT + "+" : String(n);
    $("kb-queue-empty").hidden = n > 0;
  }

  function reasonText(reasons) {
    return Object.keys(REASONS).filter(function (key) { return reasons[key]; }).map(function (key) {
      return REASONS[key] + " " + reasons[key] + " 次";
    }).join(" · ");
  }

  function groupItem(group) {
    var item = el("li", "kb-group");
    item.dataset.groupId = String(group.id);
    var top = el("div", "kb-group-top");
    top.appendChild(el("span", "kb-group-text", group.text));
    top.appendChild(el("span", "count", group.count + " 次"));
    item.appendChild(top);
    item.appendChild(el("div", "kb-group-meta muted", reasonText(group.reasons) +
      " · 最近一次 " + form.formatDateTime(group.last_at)));
    var others = group.examples.filter(function (text) { return text !== group.text; });
    if (others.length) {
      var examples = el("ul", "kb-group-examples");
      others.forEach(function (text) { examples.appendChild(el("li", null, text)); });
      item.appendChild(el("div", "kb-group-label muted", "其他问法"));
      item.appendChild(examples);
    }
    var actions = el("div", "kb-actions kb-group-actions");
    if (state.may.create) {
      actions.appendChild(button("新建知识", "primary kb-group-new", function () { newFrom(group); }));
    }
    if (state.may.update) {
      actions.appendChild(button("加为相似问", "kb-group-similar", function () { openPicker(group, item); }));
    }
    if (state.may.triage) {
      actions.appendChild(button("忽略", "kb-group-dismiss", function () { dismiss(group, item); }));
    }
    if (actions.firstChild) { item.appendChild(actions); }
    return item;
  }

  function newFrom(group) {
    var similar = group.examples.filter(function (text) { return text !== group.text; });
    state.host.newEntry({ question: group.text, similar: similar, answer: "", category: "" }, group.id);
  }

  function removeItem(item) {
    var next = item.nextElementSibling || item.previousElementSibling;
    item.parentNode.removeChild(item);
    countShown($("kb-queue-list").children.length);
    var target = next && next.querySelector("button");
    if (target) { target.focus(); }
  }

  function dismiss(group, item) {
    if (state.busy) { return; }
    state.busy = true;
    state.api("POST", "/unanswered/" + group.id + "/dismiss").then(function () {
      notify("已忽略「" + group.text + "」");
      removeItem(item);
    }, failed).then(function () { state.busy = false; });
  }

  // 加为相似问: search the published entries (the robot's own search) and pick one.
  function openPicker(group, item) {
    var open = item.querySelector(".kb-picker");
    if (open) { open.querySelector("input").focus(); return; }
    var box = el("div", "kb-picker");
    var label = el("label", null, "加到哪条知识？搜索并选择：");
    var input = el("input");
    input.type = "search"; input.maxLength = 200; input.value = group.text; input.autocomplete = "off";
    label.appendChild(input);
    var results = el("ul", "kb-picker-results");
    var close = function () {
      box.parentNode.removeChild(box);
      var again = item.querySelector(".kb-group-similar");
      if (again) { again.focus(); }
    };
    box.appendChild(label);
    box.appendChild(results);
    box.appendChild(button("取消", "kb-picker-cancel", close));
    item.appendChild(box);
    var find = function () {
      var q = input.value.trim();
      if (!q) { clear(results); return; }
      state.api("GET", "/search?k=5&q=" + encodeURIComponent(q)).then(function (data) {
        clear(results);
        data.hits.forEach(function (hit) {
          var choice = button("", "kb-pick", function () { addSimilar(group, hit, item); });
          choice.appendChild(el("span", "kb-pick-question", hit.question));
          choice.appendChild(el("span", "muted", "匹配度 " + hit.score.toFixed(2)));
          var li = el("li");
          li.appendChild(choice);
          results.appendChild(li);
        });
        if (!data.hits.length) { results.appendChild(el("li", "muted", "没有找到已发布的相近知识，换个说法试试")); }
      }, failed);
    };
    input.addEventListener("input", function () {
      window.clearTimeout(state.timer);
      state.timer = window.setTimeout(find, 250);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.stopPropagation(); close(); }
    });
    find();
    input.focus();
    input.select();
  }

  function addSimilar(group, hit, item) {
    if (state.busy) { return; }
    state.busy = true;
    state.api("POST", "/unanswered/" + group.id + "/add-similar", { entry_id: hit.id }).then(function (data) {
      notify("已把客户的问法加为「" + data.entry.question + "」的相似问题，请提交审核，发布后生效");
      removeItem(item);
      return state.host.showEntry(data.entry);
    }, failed).then(function () { state.busy = false; });
  }

  // A new entry was saved from a group: it has left the queue.
  function resolved(groupId) {
    var item = $("kb-queue-list").querySelector('[data-group-id="' + groupId + '"]');
    if (item) { item.parentNode.removeChild(item); }
    countShown($("kb-queue-list").children.length);
  }

  // ---- 试一试 ----

  function tryIt(event) {
    event.preventDefault();
    var text = $("kb-try-input").value.trim(), result = $("kb-try-result");
    clear(result);
    if (!text) { result.appendChild(el("p", "error", "请先输入一句客户的问法")); return; }
    $("kb-try-go").disabled = true;
    state.api("GET", "/search?k=5&q=" + encodeURIComponent(text)).then(renderTry, function (error) {
      result.appendChild(el("p", "error", describe(error)));
    }).then(function () { $("kb-try-go").disabled = false; });
  }

  function renderTry(data) {
    var result = $("kb-try-result"), decision = DECISIONS[data.decision] || [data.decision, ""];
    clear(result);
    var head = el("p", "kb-try-decision");
    head.appendChild(el("span", "badge decision-" + data.decision, decision[0]));
    head.appendChild(el("span", "muted", decision[1]));
    result.appendChild(head);
    if (data.decision === "answer" && data.hits.length) {
      result.appendChild(el("blockquote", "kb-try-answer", data.hits[0].answer));
    }
    if (!data.hits.length) {
      result.appendChild(el("p", "muted", "已发布的知识里没有相近的问题。"));
      return;
    }
    var list = el("ol", "kb-list kb-try-hits");
    data.hits.forEach(function (hit) {
      var open = button("", "kb-item", function () { state.host.openEntry(hit.id); });
      var top = el("span", "kb-item-top");
      top.appendChild(el("span", "kb-item-question", hit.question));
      top.appendChild(el("span", "badge kb-score", "匹配度 " + hit.score.toFixed(2)));
      open.appendChild(top);
      open.appendChild(el("span", "kb-item-answer muted", hit.answer));
      var li = el("li");
      li.appendChild(open);
      list.appendChild(li);
    });
    result.appendChild(list);
  }

  function setup() {
    ORDER.forEach(function (name) {
      $(VIEWS[name][0]).addEventListener("click", function () { setView(name); });
    });
    document.querySelector(".kb-views").addEventListener("keydown", onTabKey);
    $("kb-queue-days").addEventListener("change", loadQueue);
    $("kb-queue-refresh").addEventListener("click", function () { loadQueue(); coverage(); });
    $("kb-try-form").addEventListener("submit", tryIt);
  }

  document.addEventListener("DOMContentLoaded", setup);
  return {
    start: start, reset: reset, view: view, setView: setView, resolved: resolved,
    coverage: coverage
  };
})();
