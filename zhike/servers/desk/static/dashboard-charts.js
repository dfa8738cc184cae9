/* 智客 坐席工作台 · 数据看板: the reports over a date range — presets 今天/近7天/近30天 or two
   dates, the range summary, trend lines and per-channel/per-intent bars (Chart.js, vendored in
   vendor/chart.umd.js, with legends in the page), the top intents and unanswered questions and
   the CSV export links (next to the range: the conversations and their whole transcripts).
   Each panel says 暂无数据 or 数据加载失败 on its own when its analytics route is missing or
   fails. Text is only ever set with textContent. */
(function () {
  "use strict";

  var util = zhikeDesk, dash = zhikeDash;
  var $ = util.$, el = util.el, clear = util.clear;
  var EXPORT = util.API + "/analytics/export/";
  var COLORS = ["#2563eb", "#16a34a", "#f97316", "#9333ea"];
  var MAX_DAYS = 366;
  var FACTS = [
    ["conversations", "会话数", "count"], ["messages", "消息数", "count"],
    ["containment_rate", "机器人解决率", "rate"], ["handoff_rate", "转人工率", "rate"],
    ["abandonment_rate", "放弃率", "rate"], ["queue_abandonment_rate", "排队放弃率", "rate"],
    ["queue_abandoned", "排队放弃数", "count"], ["fallback_rate", "未识别率", "rate"],
    ["knowledge_coverage", "知识库覆盖率", "rate"], ["csat_score", "满意度", "rate"],
    ["csat_responses", "评价数", "count"], ["avg_first_response_s", "平均首次响应", "seconds"],
    ["avg_agent_reply_s", "坐席平均回复", "seconds"], ["avg_resolution_s", "平均解决时长", "seconds"]
  ];

  var state = { seq: 0, days: 7 };

  function format(kind, value) {
    if (kind === "rate") { return dash.percent(value); }
    if (kind === "seconds") { return dash.duration(value); }
    return dash.count(value);
  }

  function addDays(date, days) {
    var copy = new Date(date.getFullYear(), date.getMonth(), date.getDate());
    copy.setDate(copy.getDate() + days);
    return copy;
  }

  function parseDay(text) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
  }

  // Phones and ID-card numbers in customers' questions are masked here too.
  function masked(text) {
    return String(text || "")
      .replace(/(\d{6})\d{8}(\d{3}[\dXx])/g, "$1********$2")
      .replace(/(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})/g, "$1****$2");
  }

  function preset(days) {
    var today = new Date();
    state.days = days;
    $("dash-since").value = dash.isoDay(addDays(today, 1 - days));
    $("dash-until").value = dash.isoDay(today);
    document.querySelectorAll(".dash-preset").forEach(function (button) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.days) === days));
    });
    load();
  }

  // The chosen range as query text, or null after saying what is wrong with it.
  function readRange() {
    var error = $("dash-range-error"), today = new Date();
    var since = parseDay($("dash-since").value), until = parseDay($("dash-until").value) || today;
    var problem = !since ? "请选择开始日期" :
      since > today ? "开始日期不能晚于今天" :
      since > until ? "开始日期不能晚于结束日期" :
      (until - since) / 86400000 > MAX_DAYS ? "时间范围最长为一年，请缩短后再查询" : "";
    error.textContent = problem;
    error.hidden = !problem;
    if (problem) { return null; }
    var query = "since=" + dash.isoDay(since);
    var endsToday = dash.isoDay(until) >= dash.isoDay(today);
    if (!endsToday) { query += "&until=" + dash.isoDay(until); }  // a bare date includes that day
    var oneDay = dash.isoDay(since) === dash.isoDay(until) || (endsToday && dash.isoDay(since) === dash.isoDay(today));
    return { query: query, bucket: oneDay ? "hour" : "day" };
  }

  function setExports(range) {
    $("dash-export-conversations").href = EXPORT + "conversations.csv?" + range.query;
    $("dash-export-transcripts").href = EXPORT + "transcripts.csv?" + range.query;
    document.querySelectorAll("#dash-view a[data-export]").forEach(function (link) {
      var extra = link.dataset.by ? "&by=" + link.dataset.by :
        link.dataset.export === "trend" ? "&bucket=" + range.bucket : "";
      link.href = EXPORT + link.dataset.export + ".csv?" + range.query + extra;
    });
  }

  // Shows a panel's content, or only its message ("loading", "empty" or "error").
  function setPanel(id, kind) {
    var panel = $(id);
    dash.panelMessage(panel.querySelector(".dash-msg"), kind);
    panel.querySelectorAll(".dash-chart, .dash-legend, .dash-table-wrap, .dash-facts").forEach(
      function (node) { node.hidden = !!kind; });
    if (kind) {
      var canvas = panel.querySelector("canvas");
      var chart = canvas && window.Chart ? window.Chart.getChart(canvas) : null;
      if (chart) { chart.destroy(); }
    }
  }

  // GET `path` and give the answer to each panel's renderer (true: shown, false: 暂无数据).
  // Its export links are hidden while the analytics routes are missing (404).
  function fetchPanels(path, renderers) {
    var seq = state.seq, ids = Object.keys(renderers);
    ids.forEach(function (id) { setPanel(id, "loading"); });
    var exports = function (id, missing) {
      $(id).querySelectorAll("a[data-export]").forEach(function (link) { link.hidden = missing; });
      if (id === "dash-panel-summary") {
        $("dash-export-conversations").hidden = $("dash-export-transcripts").hidden = missing;
      }
    };
    dash.api("GET", path).then(function (data) {
      if (seq !== state.seq) { return; }
      ids.forEach(function (id) {
        exports(id, false);
        setPanel(id, null);
        var shown;
        try { shown = renderers[id](data || {}); } catch (error) { shown = "error"; }
        if (shown !== true) { setPanel(id, shown === "error" ? "error" : "empty"); }
      });
    }, function (error) {
      if (seq !== state.seq) { return; }
      ids.forEach(function (id) {
        exports(id, error.status === 404);
        setPanel(id, dash.failure(error));
      });
    });
  }

  function load() {
    var range = readRange();
    if (!range || !dash.isShown()) { return; }
    state.seq += 1;
    setExports(range);
    var q = "?" + range.query;
    fetchPanels("/analytics/summary" + q, { "dash-panel-summary": renderSummary });
    fetchPanels("/analytics/trend" + q + "&bucket=" + range.bucket, {
      "dash-panel-volume": function (data) { return renderTrend(data, "volume"); },
      "dash-panel-rates": function (data) { return renderTrend(data, "rates"); }
    });
    fetchPanels("/analytics/breakdown" + q + "&by=channel", {
      "dash-panel-channel": function (data) { return renderBars(data, "dash-panel-channel", "channels"); }
    });
    fetchPanels("/analytics/breakdown" + q + "&by=intent", {
      "dash-panel-intent": function (data) { return renderBars(data, "dash-panel-intent", "intents"); }
    });
    fetchPanels("/analytics/top" + q + "&kind=intents&limit=10", {
      "dash-panel-top-intents": function (data) { return renderTop(data, "dash-panel-top-intents", false); }
    });
    fetchPanels("/analytics/top" + q + "&kind=unanswered&limit=10", {
      "dash-panel-unanswered": function (data) { return renderTop(data, "dash-panel-unanswered", true); }
    });
  }

  function renderSummary(data) {
    if (data.conversations === undefined || data.conversations === null) { return false; }
    var box = $("dash-summary");
    clear(box);
    FACTS.forEach(function (fact) {
      var card = el("div", "kpi");
      card.dataset.metric = fact[0];
      card.appendChild(el("span", "kpi-label", fact[1]));
      card.appendChild(el("strong", "kpi-value", format(fact[2], data[fact[0]])));
      box.appendChild(card);
    });
    return true;
  }

  function legend(panelId, labels) {
    var list = $(panelId).querySelector(".dash-legend");
    clear(list);
    labels.forEach(function (label, index) {
      var item = el("li");
      item.appendChild(el("span", "dash-swatch dash-sw-" + index));
      item.appendChild(document.createTextNode(label));
      list.appendChild(item);
    });
  }

  function draw(panelId, config, legendLabels) {
    if (!window.Chart) { return "error"; }  // the vendored script did not load
    var canvas = $(panelId).querySelector("canvas");
    var old = window.Chart.getChart(canvas);
    if (old) { old.destroy(); }
    config.options = Object.assign({
      animation: false, responsive: true, maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false }
    }, config.options || {});
    new window.Chart(canvas, config);
    legend(panelId, legendLabels);
    return true;
  }

  function pointLabel(start, bucket) {
    var date = new Date(start);
    if (isNaN(date.getTime())) { return String(start); }
    return bucket === "hour" ? (date.getHours() < 10 ? "0" : "") + date.getHours() + ":00" :
      (date.getMonth() + 1) + "月" + date.getDate() + "日";
  }

  function series(label, values, index) {
    return { label: label, data: values, borderColor: COLORS[index], backgroundColor: COLORS[index],
      tension: 0.25, spanGaps: true, pointRadius: 2, borderWidth: 2 };
  }

  function renderTrend(data, which) {
    var points = data.points || [];
    if (!points.some(function (p) { return p.conversations; })) { return false; }
    var labels = points.map(function (p) { return pointLabel(p.start, data.bucket); });
    var pick = function (key) { return points.map(function (p) { return p[key] === undefined ? null : p[key]; }); };
    var kind = which === "volume" ? "count" : "rate";
    var sets = which === "volume" ?
      [["会话量", "conversations"], ["机器人解决", "bot_resolved"], ["转人工", "handed_off"]] :
      [["机器人解决率", "containment_rate"], ["转人工率", "handoff_rate"], ["满意度", "csat_score"]];
    var datasets = sets.map(function (set, index) { return series(set[0], pick(set[1]), index); });
    var y = { beginAtZero: true, ticks: { callback: function (v) { return format(kind, v); } } };
    if (kind === "rate") { y.max = 1; } else { y.ticks.precision = 0; }
    return draw("dash-panel-" + which, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: {
        scales: { y: y },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (ctx) {
          return ctx.dataset.label + "：" + format(kind, ctx.parsed.y);
        } } } }
      }
    }, sets.map(function (set) { return set[0]; }));
  }

  function renderBars(data, panelId, labelKind) {
    var rows = (data.rows || []).slice().sort(function (a, b) {
      return (b.conversations || 0) - (a.conversations || 0);
    }).slice(0, 10);
    if (!rows.length) { return false; }
    var labels = rows.map(function (row) { return row.label || util.label(labelKind, row.key) || "其他"; });
    return draw(panelId, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: "会话数", backgroundColor: COLORS[0],
        data: rows.map(function (row) { return row.conversations || 0; }) }] },
      options: {
        indexAxis: labelKind === "intents" ? "y" : "x",
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: function (ctx) {
          var row = rows[ctx.dataIndex];
          return "机器人解决率 " + dash.percent(row.containment_rate) + " · 转人工率 " + dash.percent(row.handoff_rate);
        } } } }
      }
    }, ["会话数"]);
  }

  function renderTop(data, panelId, question) {
    var rows = data.rows || [];
    var body = $(panelId).querySelector("tbody");
    clear(body);
    rows.forEach(function (row, index) {
      var line = el("tr");
      line.appendChild(el("td", "num", index + 1));
      var text = row.label || (question ? row.key : util.label("intents", row.key));
      line.appendChild(el("td", "dash-text", question ? masked(text) : text));
      line.appendChild(el("td", "num", dash.count(row.count)));
      body.appendChild(line);
    });
    return rows.length > 0;
  }

  function setup() {
    document.querySelectorAll(".dash-preset").forEach(function (button) {
      button.addEventListener("click", function () { preset(Number(button.dataset.days)); });
    });
    $("dash-apply").addEventListener("click", function () {
      document.querySelectorAll(".dash-preset").forEach(function (button) {
        button.setAttribute("aria-pressed", "false");
      });
      load();
    });
    ["dash-since", "dash-until"].forEach(function (id) {
      $(id).max = dash.isoDay(new Date());
      $(id).addEventListener("keydown", function (event) { if (event.key === "Enter") { $("dash-apply").click(); } });
    });
  }

  dash.charts = {
    show: function () {
      if (!$("dash-since").value) { preset(state.days); } else { load(); }
    }
  };
  document.addEventListener("DOMContentLoaded", setup);
})();
