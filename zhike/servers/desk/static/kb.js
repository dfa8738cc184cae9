/* 智客 知识库: the knowledge-base page of the desk (list, search, edit, review, import);
   the 待完善问题 and 试一试 views are in kb-queue.js. */
var zhikeKb = (function () {
  "use strict";

  var util = zhikeDesk, form = zhikeKbForm, queue = zhikeKbQueue;
  var $ = util.$, el = util.el, clear = util.clear, notify = util.notify;
  var PER_PAGE = 20;
  var ACTION_BUTTONS = ["kb-save", "kb-submit", "kb-approve", "kb-reject", "kb-publish", "kb-archive"];
  var state = {
    api: null, may: null, page: 1, total: 0, entry: null, creating: false, timer: null,
    busy: false, started: false, fromGroup: null
  };

  function init(csrf, unauthorized) {
    state.api = util.makeApi(csrf, unauthorized, "/api/kb/v1");
  }

  function failed(error) { notify(form.describe(error), true); }

  // Shows the page; `route` is the hash after "#kb" ("" or "/<id>").
  function show(route) {
    var opening = /^\/(\d+)$/.exec(route || "");
    var ready = state.may ? Promise.resolve() : state.api("GET", "/me").then(function (me) {
      state.may = me.may;
      $("kb-new").hidden = !me.may.create;
      $("kb-import-open").hidden = !me.may.create;
      $("kb-import-publish-label").hidden = !me.may.review;
      queue.start(state.api, me.may, {
        openEntry: openEntry, showEntry: showEntry, newEntry: newEntry, closeDetail: closeDetail
      });
    });
    return ready.then(function () {
      if (!state.started) { state.started = true; refresh(); }
      if (opening && (!state.entry || state.entry.id !== Number(opening[1]))) {
        openEntry(Number(opening[1]));
      }
    }, failed);
  }

  function reset() {
    state.may = null; state.entry = null; state.creating = false; state.started = false;
    state.page = 1;
    closeDetail();
    queue.reset();
  }

  function query() {
    var params = ["page=" + state.page, "per_page=" + PER_PAGE];
    var q = $("kb-search").value.trim(), status = $("kb-status").value, cat = $("kb-category").value;
    if (q) { params.push("q=" + encodeURIComponent(q)); }
    if (status) { params.push("status=" + status); }
    if (cat) { params.push("category=" + encodeURIComponent(cat)); }
    return "/entries?" + params.join("&");
  }

  function refresh() {
    return Promise.all([
      state.api("GET", query()).then(renderList),
      state.api("GET", "/stats").then(renderStats)
    ]).catch(failed);
  }

  function renderStats(stats) {
    var by = stats.by_status || {};
    $("kb-summary").textContent = "共 " + stats.total + " 条知识 · 已发布 " + (by.published || 0) +
      " · 待审核 " + (by.in_review || 0) + " · 草稿 " + (by.draft || 0);
    var select = $("kb-category"), current = select.value, list = $("kb-categories");
    while (select.options.length > 1) { select.remove(1); }
    clear(list);
    Object.keys(stats.by_category || {}).sort().forEach(function (name) {
      if (!name) { return; }
      var option = el("option", null, name + "（" + stats.by_category[name] + "）");
      option.value = name;
      select.appendChild(option);
      var suggestion = el("option");
      suggestion.value = name;
      list.appendChild(suggestion);
    });
    select.value = current;
  }

  function renderList(data) {
    var list = $("kb-list");
    clear(list);
    state.total = data.total;
    data.entries.forEach(function (entry) {
      var item = el("li");
      var button = el("button", "kb-item");
      button.type = "button";
      button.dataset.entryId = String(entry.id);
      if (state.entry && state.entry.id === entry.id) { button.className += " current"; }
      var top = el("span", "kb-item-top");
      top.appendChild(el("span", "kb-item-question", entry.question));
      top.appendChild(form.badge(entry.status));
      button.appendChild(top);
      button.appendChild(el("span", "kb-item-answer muted", entry.answer));
      button.appendChild(el("span", "kb-item-meta muted", (entry.category || "未分类") + " · " +
        entry.updated_by + " · " + form.formatDateTime(entry.updated_at)));
      button.addEventListener("click", function () { openEntry(entry.id); });
      item.appendChild(button);
      list.appendChild(item);
    });
    $("kb-empty").hidden = data.entries.length > 0;
    var pages = Math.max(1, Math.ceil(data.total / PER_PAGE));
    $("kb-page").textContent = "第 " + state.page + " / " + pages + " 页，共 " + data.total + " 条";
    $("kb-prev").disabled = state.page <= 1;
    $("kb-next").disabled = state.page >= pages;
  }

  function search() {
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(function () { state.page = 1; refresh(); }, 250);
  }

  function openDetail() {
    $("kb-detail").hidden = false;
    $("kb-body").className = "kb-body detail-open";
    $("kb-form-error").hidden = true;
  }

  function sourceNote(groupId) {
    state.fromGroup = groupId || null;
    $("kb-source-note").hidden = !groupId;
    $("kb-source-note").textContent = groupId ?
      "根据客户的问题新建：请把问题整理成标准问法并填写答案，保存后它将移出待完善问题。" : "";
  }

  function closeDetail() {
    state.entry = null; state.creating = false;
    sourceNote(null);
    $("kb-detail").hidden = true;
    $("kb-body").className = "kb-body";
    if (location.hash.indexOf("#kb/") === 0) { history.replaceState(null, "", "#kb"); }
  }

  function showEntry(entry) {
    state.entry = entry; state.creating = false;
    openDetail();
    sourceNote(null);
    $("kb-title").textContent = "知识 #" + entry.id;
    var badge = $("kb-badge");
    badge.className = "badge status-" + entry.status;
    badge.textContent = form.STATUS[entry.status] || entry.status;
    var live = entry.live_version && entry.status !== "published";
    $("kb-live").hidden = !live;
    $("kb-live").textContent = live ? "线上仍为 v" + entry.live_version : "";
    $("kb-version").textContent = "v" + entry.version + " · " + entry.updated_by + " 更新于 " +
      form.formatDateTime(entry.updated_at);
    $("kb-review-note").hidden = !entry.review_comment;
    $("kb-review-note").textContent = entry.review_comment ? "审核意见：" + entry.review_comment : "";
    form.fill(entry);
    form.showActions(entry, state.may);
    if (location.hash !== "#kb/" + entry.id) { history.replaceState(null, "", "#kb/" + entry.id); }
    Array.prototype.forEach.call($("kb-list").querySelectorAll(".kb-item"), function (b) {
      b.classList.toggle("current", b.dataset.entryId === String(entry.id));
    });
    return state.api("GET", "/entries/" + entry.id + "/history").then(function (data) {
      if (state.entry && state.entry.id === entry.id) { form.renderHistory(data.history); }
    });
  }

  function openEntry(id) {
    return state.api("GET", "/entries/" + id).then(function (data) {
      return showEntry(data.entry);
    }, failed);
  }

  // A new entry; `prefill` (from a group of 待完善问题, `groupId`) fills the form.
  function newEntry(prefill, groupId) {
    state.entry = null; state.creating = true;
    openDetail();
    sourceNote(groupId);
    $("kb-title").textContent = "新建知识";
    $("kb-badge").className = "badge status-draft";
    $("kb-badge").textContent = "草稿";
    $("kb-live").hidden = $("kb-review-note").hidden = true;
    $("kb-version").textContent = "";
    form.fill(prefill || null);
    form.showActions(null, state.may);
    form.renderHistory([]);
    $(prefill ? "kb-answer" : "kb-question").focus();
  }

  function formError(text) {
    $("kb-form-error").textContent = text;
    $("kb-form-error").hidden = !text;
  }

  // While a write is under way its buttons are disabled (no double submissions).
  function setBusy(busy) {
    state.busy = busy;
    ACTION_BUTTONS.forEach(function (id) { $(id).disabled = busy; });
  }

  // Runs a write; on success shows the returned entry, refreshes the list and says `done`.
  function write(request, done) {
    if (state.busy) { return Promise.resolve(null); }
    setBusy(true);
    formError("");
    return request().then(function (data) {
      setBusy(false);
      notify(done);
      refresh();
      return showEntry(data.entry).then(function () { return data.entry; });
    }, function (error) {
      setBusy(false);
      formError(form.describe(error));
      if (error.code === "version_conflict" && state.entry) { openEntry(state.entry.id); }
      return null;
    });
  }

  function save() {
    var body = form.read();
    var problem = form.problem(body);
    if (problem) { formError(problem); return Promise.resolve(null); }
    if (!state.entry && state.fromGroup) {
      var group = state.fromGroup;
      return write(function () {
        return state.api("POST", "/unanswered/" + group + "/new-entry", body);
      }, "已保存为草稿，该问题已移出待完善问题").then(function (entry) {
        if (entry) { queue.resolved(group); }
        return entry;
      });
    }
    if (!state.entry) {
      return write(function () { return state.api("POST", "/entries", body); }, "已保存为草稿");
    }
    if (form.same(state.entry)) { return Promise.resolve(state.entry); }
    body.expected_version = state.entry.version;
    var comment = $("kb-comment").value.trim();
    if (comment) { body.comment = comment; }
    var id = state.entry.id;
    return write(function () { return state.api("PUT", "/entries/" + id, body); }, "已保存为草稿");
  }

  function act(action, done, needsComment) {
    var comment = $("kb-comment").value.trim();
    if (needsComment && !comment) {
      formError("驳回时请填写审核意见，方便编辑修改");
      $("kb-comment").focus();
      return Promise.resolve(null);
    }
    var entry = state.entry;
    var body = { expected_version: entry.version };
    if (comment) { body.comment = comment; }
    return write(function () {
      return state.api("POST", "/entries/" + entry.id + "/" + action, body);
    }, done);
  }

  function submitForReview() {
    var editable = state.may.update || (state.creating && state.may.create);
    var saved = editable ? save() : Promise.resolve(state.entry);
    return saved.then(function (entry) {
      if (entry && state.entry && state.entry.status === "draft") {
        return act("submit", "已提交审核，请等待审核员处理");
      }
      return null;
    });
  }

  function archive() {
    if (!window.confirm("确定要归档这条知识吗？归档后机器人将不再使用它。")) { return; }
    act("archive", "已归档");
  }

  function importFile(event) {
    event.preventDefault();
    var file = $("kb-file").files[0], result = $("kb-import-result");
    clear(result);
    if (!file) { result.appendChild(el("p", "error", "请先选择要导入的文件")); return; }
    var data = new FormData();
    data.append("file", file, file.name);
    var path = "/import?mode=" + $("kb-mode").value +
      ($("kb-import-publish").checked && state.may.review ? "&publish=1" : "");
    $("kb-import-go").disabled = true;
    result.appendChild(el("p", "muted", "正在导入，请稍候…"));
    state.api("POST", path, data).then(function (answer) {
      var r = answer.report;
      clear(result);
      result.appendChild(el("p", "ok", "导入成功：共 " + answer.entries + " 条，新增 " + r.created +
        " 条，更新 " + r.updated + " 条，未变化 " + r.unchanged + " 条，归档 " + r.archived +
        " 条，发布 " + r.published + " 条。"));
      state.page = 1;
      refresh();
    }, function (error) {
      clear(result);
      result.appendChild(el("p", "error", form.describe(error)));
      var lines = el("ul", "kb-import-errors");
      ((error.data && error.data.errors) || []).forEach(function (e) {
        lines.appendChild(el("li", null, (e.line ? "第 " + e.line + " 行：" : "") + form.reason(e.reason)));
      });
      if (lines.firstChild) { result.appendChild(lines); }
    }).then(function () { $("kb-import-go").disabled = false; });
  }

  function typing(target) {
    return target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  // The search box of the view shown (the queue has none: its tab).
  function focusSearch() {
    var view = queue.view();
    $(view === "list" ? "kb-search" : view === "try" ? "kb-try-input" : "kb-tab-queue").focus();
  }

  function onKey(event) {
    if ($("kb-view").hidden) { return; }
    if (event.key === "/" && !typing(event.target)) {
      event.preventDefault();
      focusSearch();
    } else if (event.key === "Escape" && !$("kb-detail").hidden) {
      closeDetail();
      focusSearch();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !$("kb-detail").hidden &&
        !$("kb-save").hidden) {
      event.preventDefault();
      save();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && event.target.classList &&
        event.target.classList.contains("kb-item")) {
      event.preventDefault();
      var item = event.target.parentNode;
      var next = event.key === "ArrowDown" ? item.nextElementSibling : item.previousElementSibling;
      if (next) { next.firstChild.focus(); }
    }
  }

  function setup() {
    $("kb-search").addEventListener("input", search);
    ["kb-status", "kb-category"].forEach(function (id) {
      $(id).addEventListener("change", function () { state.page = 1; refresh(); });
    });
    $("kb-prev").addEventListener("click", function () { state.page -= 1; refresh(); });
    $("kb-next").addEventListener("click", function () { state.page += 1; refresh(); });
    $("kb-new").addEventListener("click", function () { newEntry(); });
    $("kb-back").addEventListener("click", closeDetail);
    $("kb-form").addEventListener("submit", function (event) { event.preventDefault(); save(); });
    $("kb-submit").addEventListener("click", submitForReview);
    $("kb-approve").addEventListener("click", function () { act("approve", "已审核通过并发布，机器人将在几秒内使用新答案"); });
    $("kb-reject").addEventListener("click", function () { act("reject", "已驳回，编辑将看到您的意见", true); });
    $("kb-publish").addEventListener("click", function () { act("publish", "已发布，机器人将在几秒内使用新答案"); });
    $("kb-archive").addEventListener("click", archive);
    $("kb-import-open").addEventListener("click", function () {
      $("kb-import").hidden = !$("kb-import").hidden;
      if (!$("kb-import").hidden) { $("kb-file").focus(); }
    });
    $("kb-import-close").addEventListener("click", function () { $("kb-import").hidden = true; });
    $("kb-import").addEventListener("submit", importFile);
    document.addEventListener("keydown", onKey);
  }

  document.addEventListener("DOMContentLoaded", setup);
  return { init: init, show: show, reset: reset };
})();
