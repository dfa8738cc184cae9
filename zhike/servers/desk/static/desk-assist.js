/* 智客 坐席工作台: agent assist — suggested answers for the customer's last message
   (GET /conversations/<id>/assist, from the knowledge base; one click puts one into the
   reply box to edit) and the canned answers of canned.yml (GET /canned), grouped and
   searchable, opened by typing "/" in the empty reply box or with 快捷回复. */
(function () {
  "use strict";

  var util = zhikeDesk, $ = util.$, el = util.el, clear = util.clear;
  var canned = [];
  var lastAsked = null;

  function app() { return zhikeDesk.app; }

  function useText(text) {
    var box = $("reply");
    box.value = text;
    box.focus();
    box.setSelectionRange(text.length, text.length);
  }

  function renderSuggestions(data) {
    var list = $("suggestions");
    clear(list);
    var hits = data.suggestions || [];
    $("assist").hidden = false;
    $("assist-for").textContent = data.message ? "针对客户：“" + data.message.text + "”" : "";
    hits.forEach(function (hit) {
      var item = el("li", null);
      var pick = util.button("suggestion", null, function () { useText(hit.answer); });
      pick.appendChild(el("span", "suggestion-q", hit.question));
      pick.appendChild(el("span", "suggestion-a", hit.answer));
      pick.setAttribute("aria-label", "使用建议答案：" + hit.question);
      item.appendChild(pick);
      list.appendChild(item);
    });
    $("assist-empty").hidden = hits.length > 0;
    $("assist-empty").textContent = data.message ? "知识库中暂无相关答案" : "客户还没有发来消息";
  }

  // Asks again only when the customer's last message changed (``key``).
  function load(conv, key) {
    if (key !== undefined && key === lastAsked) { return Promise.resolve(); }
    lastAsked = key;
    var id = conv.id;
    return app().api("GET", "/conversations/" + id + "/assist").then(function (data) {
      if (app().currentId() === id) { renderSuggestions(data); }
    }, function () {
      if (app().currentId() === id) { $("assist-empty").hidden = false; $("assist-empty").textContent = "建议答案暂时无法读取"; }
    });
  }

  function loadCanned() {
    return app().api("GET", "/canned").then(function (data) { canned = data.groups || []; renderCanned(); });
  }

  function renderCanned() {
    var query = $("canned-search").value.trim().toLowerCase();
    var list = $("canned-list");
    clear(list);
    var shown = 0;
    canned.forEach(function (group) {
      var answers = group.answers.filter(function (answer) {
        return !query || answer.text.toLowerCase().indexOf(query) >= 0 ||
          group.title.toLowerCase().indexOf(query) >= 0;
      });
      if (!answers.length) { return; }
      var box = el("li", "canned-group");
      box.appendChild(el("h4", null, group.title));
      var items = el("ul", "canned-items");
      answers.forEach(function (answer) {
        var item = el("li", null);
        item.appendChild(util.button("canned-item", answer.text, function () { closeCanned(); useText(answer.text); }));
        items.appendChild(item);
        shown += 1;
      });
      box.appendChild(items);
      list.appendChild(box);
    });
    $("canned-empty").hidden = shown > 0;
  }

  function openCanned() {
    $("canned-menu").hidden = false;
    $("canned-search").value = "";
    renderCanned();
    $("canned-search").focus();
  }

  function closeCanned() { $("canned-menu").hidden = true; }

  function onReplyKey(event) {
    if (event.key === "/" && !$("reply").value && !event.isComposing) {
      event.preventDefault();
      openCanned();
    }
  }

  function onSearchKey(event) {
    if (event.key === "Escape") { closeCanned(); $("reply").focus(); }
    if (event.key === "Enter") {
      event.preventDefault();
      var first = $("canned-list").querySelector(".canned-item");
      if (first) { first.click(); }
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      var next = $("canned-list").querySelector(".canned-item");
      if (next) { next.focus(); }
    }
  }

  function setup() {
    $("reply").addEventListener("keydown", onReplyKey);
    $("canned-open").addEventListener("click", openCanned);
    $("canned-close").addEventListener("click", function () { closeCanned(); $("reply").focus(); });
    $("canned-search").addEventListener("input", renderCanned);
    $("canned-search").addEventListener("keydown", onSearchKey);
    $("canned-menu").addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeCanned(); $("reply").focus(); }
    });
  }

  function reset() { lastAsked = null; closeCanned(); clear($("suggestions")); }

  util.assist = { setup: setup, load: load, loadCanned: loadCanned, reset: reset, close: closeCanned };
})();
