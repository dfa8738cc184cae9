/* 智客 坐席工作台: the 质检 tab — supervisors review the quality-inspection queue, keep the
   sensitive words and the rule settings; agents see their own results (我的质检).
   Text is only ever set with textContent; hits are marked with <mark> elements. */
var zhikeQa = (function () {
  "use strict";

  var util = zhikeDesk;
  var $ = util.$, el = util.el, clear = util.clear, describe = util.describe;
  var STATUS = { pending: "待复核", confirmed: "已确认", dismissed: "已驳回", clean: "无问题" };
  var WHO = { user: "客户", agent: "坐席", bot: "机器人", system: "系统" };
  // The rule settings' fields: id, setting, label, bounds (as the API checks them).
  var FIELDS = [
    ["qa-first-reply", "first_reply_seconds", "首次响应超时（秒）", 5, 3600],
    ["qa-reply-gap", "reply_gap_seconds", "回复间隔超时（秒）", 5, 7200],
    ["qa-transfers", "transfer_limit", "转接次数达到", 1, 20],
    ["qa-streak", "negative_streak", "连续负面消息条数", 2, 20],
    ["qa-low-rating", "low_rating", "低评分（不高于）", 1, 4],
    ["qa-fallbacks", "fallback_limit", "机器人未能理解次数达到", 2, 20]
  ];
  var FILTERS = [["pending", "待复核"], ["confirmed", "已确认"], ["dismissed", "已驳回"], ["", "全部状态"]];
  var state = { supervisor: false, rules: {}, current: null, ready: false, disabled: [], user: null };

  function api() { return zhikeDesk.app.api.apply(null, arguments); }

  // Called by desk.js on every route change: the tab's label and whether the view shows.
  function route(shown, me) {
    var role = me && me.account ? me.account.role : null;
    state.supervisor = role === "supervisor";
    $("tab-qa").textContent = state.supervisor ? "质检" : "我的质检";
    $("tab-qa").className = shown ? "tab current" : "tab";
    $("tab-qa").setAttribute("aria-current", shown ? "page" : "false");
    $("qa-view").hidden = !shown;
    if (!shown || !me) { return; }
    if (!state.ready) { setup(); }
    if (state.user !== me.account.username) { reset(me.account.username); }
    $("qa-list-title").textContent = state.supervisor ? "质检队列" : "我的质检";
    $("qa-admin").hidden = !state.supervisor;
    load();
    if (state.supervisor) { loadWords(); loadSettings(); }
  }

  // Another login in the same page: nothing of the previous user's view stays.
  function reset(username) {
    state.user = username;
    state.current = null;
    clear($("qa-list"));
    clear($("qa-words"));
    $("qa-record").hidden = true;
    $("qa-placeholder").hidden = false;
    $("qa-status").value = state.supervisor ? "pending" : "";  // 我的质检: all of them
  }

  function setup() {
    state.ready = true;
    FILTERS.forEach(function (pair) {
      var option = el("option", null, pair[1]);
      option.value = pair[0];
      $("qa-status").appendChild(option);
    });
    var save = $("qa-settings-save");
    FIELDS.forEach(function (field) {
      var label = el("label", null, field[2]), input = el("input");
      input.id = field[0]; input.type = "number"; input.min = field[3]; input.max = field[4];
      label.appendChild(input);
      save.parentNode.insertBefore(label, save);
    });
    $("qa-status").addEventListener("change", load);
    $("qa-rule").addEventListener("change", load);
    $("qa-refresh").addEventListener("click", load);
    $("qa-confirm").addEventListener("click", function () { review("confirm"); });
    $("qa-dismiss").addEventListener("click", function () { review("dismiss"); });
    $("qa-word-form").addEventListener("submit", addWord);
    $("qa-settings").addEventListener("submit", saveSettings);
  }

  function setRules(rules) {
    state.rules = rules || {};
    var select = $("qa-rule");
    if (select.options.length > 1) { return; }
    Object.keys(state.rules).forEach(function (name) {
      var option = el("option", null, state.rules[name]);
      option.value = name;
      select.appendChild(option);
    });
  }

  function load() {
    var query = [];
    if ($("qa-status").value) { query.push("status=" + encodeURIComponent($("qa-status").value)); }
    if ($("qa-rule").value) { query.push("rule=" + encodeURIComponent($("qa-rule").value)); }
    var path = (state.supervisor ? "/qa/records" : "/qa/mine") + (query.length ? "?" + query.join("&") : "");
    return api("GET", path).then(function (data) {
      setRules(data.rules);
      renderList(data.records || []);
    }, function (error) { util.notify(describe(error), true); });
  }

  // "会话 #12" for a conversation an agent served, "机器人会话" for a bot-only one.
  function title(record) {
    return record.conversation_id ? "会话 #" + record.conversation_id : "机器人会话";
  }

  // Where the conversation happened and whether an agent took part.
  function where(record) {
    return (record.channel_label ? record.channel_label + " · " : "") +
      (record.with_agent ? "有坐席参与" : "仅机器人");
  }

  function ruleNames(rules) {
    return (rules || []).map(function (name) { return state.rules[name] || name; }).join("、");
  }

  function renderList(records) {
    var list = $("qa-list");
    clear(list);
    records.forEach(function (record) {
      var item = el("li", "clickable qa-item" + (state.current === record.id ? " current" : ""));
      item.dataset.recordId = record.id;
      item.tabIndex = 0;
      var head = el("div", "row-head");
      head.appendChild(el("span", "row-name grow", title(record) +
        (state.supervisor && record.agent_name ? " · " + record.agent_name : "")));
      head.appendChild(el("span", "tag qa-" + record.status, STATUS[record.status] || record.status));
      head.appendChild(el("span", "qa-points", record.score + " 分"));
      item.appendChild(head);
      item.appendChild(el("div", "row-preview", ruleNames(record.rules)));
      item.appendChild(el("div", "muted qa-when", where(record) + " · " + util.formatDate(record.closed_at)));
      item.addEventListener("click", function () { open(record.id); });
      item.addEventListener("keydown", function (event) { if (event.key === "Enter") { open(record.id); } });
      list.appendChild(item);
    });
    $("qa-empty").hidden = records.length > 0;
  }

  function open(id) {
    state.current = id;
    Array.prototype.forEach.call(document.querySelectorAll(".qa-item"), function (node) {
      node.className = "clickable qa-item" + (String(id) === node.dataset.recordId ? " current" : "");
    });
    return api("GET", "/qa/records/" + id).then(function (data) {
      setRules(data.rules);
      if (state.current === id) { renderRecord(data.record); }
    }, function (error) { util.notify(describe(error), true); });
  }

  // The text with its hits (marks: start, end, category) wrapped in <mark> elements.
  function marked(text, marks) {
    var node = el("span", "qa-text"), at = 0;
    (marks || []).slice().sort(function (a, b) { return a.start - b.start; }).forEach(function (mark) {
      if (mark.start < at) { return; }
      node.appendChild(document.createTextNode(text.slice(at, mark.start)));
      var hit = el("mark", "qa-hit", text.slice(mark.start, mark.end));
      hit.title = mark.category + "类敏感词";
      node.appendChild(hit);
      at = mark.end;
    });
    node.appendChild(document.createTextNode(text.slice(at)));
    return node;
  }

  function renderRecord(record) {
    $("qa-placeholder").hidden = true;
    $("qa-record").hidden = false;
    $("qa-title").textContent = title(record) +
      (record.agent_name ? " · 坐席 " + record.agent_name : "") + "（" + where(record) + "）";
    $("qa-score").textContent = "质检得分 " + record.score;
    $("qa-state").textContent = STATUS[record.status] || record.status;
    $("qa-state").className = "tag qa-" + record.status;
    var hits = $("qa-hits");
    clear(hits);
    (record.hits || []).forEach(function (hit) {
      var item = el("li", "qa-hit-rule");
      item.appendChild(el("strong", null, hit.label));
      item.appendChild(el("span", null, "：" + hit.detail));
      hits.appendChild(item);
    });
    var excerpt = $("qa-excerpt");
    clear(excerpt);
    var previous = null;
    (record.excerpt || []).forEach(function (line) {
      if (previous !== null && line.seq > previous + 1) {  // a long transcript: lines left out
        excerpt.appendChild(el("li", "qa-gap muted", "…… 省略 " + (line.seq - previous - 1) + " 条消息 ……"));
      }
      previous = line.seq;
      var flagged = (line.rules || []).length > 0;
      var item = el("li", "msg from-" + line.who + (flagged ? " qa-flagged" : ""));
      var meta = el("span", "who", (WHO[line.who] || line.who) + " " + util.formatTime(line.at));
      item.appendChild(meta);
      var bubble = el("div", "text");
      bubble.appendChild(marked(line.text, line.marks));
      item.appendChild(bubble);
      if (flagged) { item.appendChild(el("span", "qa-line-rules", ruleNames(line.rules))); }
      excerpt.appendChild(item);
    });
    var note = $("qa-review-note");
    note.hidden = !record.reviewed_at;
    note.textContent = record.reviewed_at ? "主管复核：" + (STATUS[record.status] || record.status) +
      (record.review_comment ? "，备注：" + record.review_comment : "") + "（" + util.formatDate(record.reviewed_at) + "）" : "";
    $("qa-review").hidden = !state.supervisor;
    $("qa-comment").value = record.review_comment || "";
    $("qa-review-status").textContent = "";
  }

  function review(decision) {
    var id = state.current;
    if (!id) { return; }
    $("qa-confirm").disabled = $("qa-dismiss").disabled = true;
    api("POST", "/qa/records/" + id + "/review", { decision: decision, comment: $("qa-comment").value })
      .then(function (data) {
        renderRecord(data.record);
        $("qa-review-status").textContent = decision === "confirm" ? "已确认，坐席可在“我的质检”中查看" : "已驳回";
        load();
      }, function (error) { $("qa-review-status").textContent = "操作失败：" + describe(error); })
      .then(function () { $("qa-confirm").disabled = $("qa-dismiss").disabled = false; });
  }

  function loadWords() {
    return api("GET", "/qa/words").then(renderWords, function (error) { util.notify(describe(error), true); });
  }

  function renderWords(data) {
    var select = $("qa-category");
    if (!select.options.length) {
      (data.categories || []).forEach(function (category) {
        var option = el("option", null, category.name);
        option.value = category.name;
        select.appendChild(option);
      });
    }
    var list = $("qa-words");
    clear(list);
    (data.words || []).forEach(function (word) {
      var item = el("li", "qa-word");
      item.appendChild(el("span", "qa-word-text", word.word));
      item.appendChild(el("span", "muted", word.category));
      item.appendChild(util.button("qa-word-remove", "删除", function () { removeWord(word); }));
      list.appendChild(item);
    });
  }

  function addWord(event) {
    event.preventDefault();
    var word = $("qa-word").value.trim(), status = $("qa-word-status");
    if (!word) { status.textContent = "请输入敏感词"; return; }
    api("POST", "/qa/words", { word: word, category: $("qa-category").value }).then(function () {
      $("qa-word").value = "";
      status.textContent = "已添加「" + word + "」，立即生效";
      loadWords();
    }, function (error) { status.textContent = "添加失败：" + describe(error); });
  }

  function removeWord(word) {
    api("DELETE", "/qa/words/" + word.id).then(function () {
      $("qa-word-status").textContent = "已删除「" + word.word + "」";
      loadWords();
    }, function (error) { $("qa-word-status").textContent = "删除失败：" + describe(error); });
  }

  function loadSettings() {
    return api("GET", "/qa/settings").then(function (data) {
      state.disabled = data.settings.disabled || [];
      FIELDS.forEach(function (field) { $(field[0]).value = data.settings[field[1]]; });
    }, function (error) { util.notify(describe(error), true); });
  }

  function saveSettings(event) {
    event.preventDefault();
    var body = { disabled: state.disabled };
    FIELDS.forEach(function (field) { body[field[1]] = Number($(field[0]).value); });
    api("PUT", "/qa/settings", body).then(function () {
      $("qa-settings-status").textContent = "规则已保存";
    }, function (error) { $("qa-settings-status").textContent = "保存失败：" + describe(error); });
  }

  return { route: route, open: open, reload: load };
})();
