/* 智客 坐席工作台 · 数据看板: the 客户分群 panel (supervisors): how many customers carry each
   tag (GET /tags/segments), read when the dashboard is shown and on 刷新. */
(function () {
  "use strict";

  var util = zhikeDesk, el = util.el, clear = util.clear;
  var SOURCES = { auto: "自动", manual: "手动" };

  function panel() {
    var section = el("section", "dash-section tags-segments");
    section.id = "tags-segments";
    section.setAttribute("aria-labelledby", "tags-segments-title");
    var title = el("h2", null, "客户分群 ");
    title.id = "tags-segments-title";
    var refresh = util.button("tags-refresh", "刷新", null);
    refresh.id = "tags-segments-refresh";
    title.appendChild(refresh);
    section.appendChild(title);
    var card = el("div", "dash-card");
    var wrap = el("div", "dash-table-wrap");
    var table = el("table", "dash-table");
    var head = el("thead");
    var row = el("tr");
    ["标签", "类型", "客户数"].forEach(function (text) {
      var th = el("th", text === "客户数" ? "num" : null, text);
      th.scope = "col";
      row.appendChild(th);
    });
    head.appendChild(row);
    table.appendChild(head);
    table.appendChild(el("tbody"));
    wrap.appendChild(table);
    card.appendChild(wrap);
    var message = el("p", "dash-msg muted");
    message.hidden = true;
    card.appendChild(message);
    section.appendChild(card);
    return { section: section, body: table.tBodies[0], message: message, refresh: refresh };
  }

  function start() {
    var view = document.getElementById("dash-view");
    if (!view) { return; }
    var parts = panel();
    view.appendChild(parts.section);

    function say(text) {
      parts.message.textContent = text || "";
      parts.message.hidden = !text;
    }

    function render(data) {
      clear(parts.body);
      data.rows.forEach(function (segment) {
        var row = el("tr");
        row.setAttribute("data-tag", segment.tag);
        var name = el("td");
        name.appendChild(el("span", "tag-chip tag-" + (segment.colour || "grey"), segment.label));
        row.appendChild(name);
        row.appendChild(el("td", null, SOURCES[segment.source] || segment.source));
        row.appendChild(el("td", "num", String(segment.customers)));
        parts.body.appendChild(row);
      });
      say(data.rows.length ? "" : "暂无客户标签");
    }

    function load() {
      if (view.hidden || !(util.app && util.app.isSupervisor())) { return; }
      say("加载中…");
      util.app.api("GET", "/tags/segments").then(render, function () {
        say("数据加载失败，请稍后重试");
      });
    }

    parts.refresh.addEventListener("click", load);
    new MutationObserver(load).observe(view, { attributes: true, attributeFilter: ["hidden"] });
    load();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
