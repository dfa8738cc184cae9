/* 智客 坐席工作台 · 数据看板 (supervisors only): the tab and its route, the live part (queues,
   agents, today's KPIs against the targets, refreshed every 10 s while the tab is shown and the
   window visible) and the KPI target form. The charts over a date range are in
   dashboard-charts.js (zhikeDash.charts). Text is only ever set with textContent. */
var zhikeDash = (function () {
  "use strict";

  var util = zhikeDesk;
  var $ = util.$, el = util.el, clear = util.clear;
  var LIVE_MS = 10000;
  var RATE = "rate";
  var DEFAULT_KPIS = ["containment_rate", "avg_first_response_s", "csat_score", "handoff_rate",
    "queue_abandonment_rate"];
  var FALLBACK_METRICS = [
    { name: "containment_rate", label: "机器人解决率", unit: RATE, max: 1 },
    { name: "avg_first_response_s", label: "平均首次响应", unit: "seconds", max: 86400 },
    { name: "csat_score", label: "满意度", unit: RATE, max: 1 },
    { name: "handoff_rate", label: "转人工率", unit: RATE, max: 1 },
    { name: "queue_abandonment_rate", label: "排队放弃率", unit: RATE, max: 1 }
  ];
  var MESSAGES = { empty: "暂无数据", error: "数据加载失败，请稍后重试", loading: "加载中…" };
  var TARGET_ERRORS = {
    supervisor_only: "只有主管可以设置目标", unknown_metric: "有无法识别的指标，请刷新页面后重试",
    invalid_value: "目标数值超出范围，请检查后重试", invalid_direction: "请为每个目标选择“不低于”或“不高于”",
    duplicate_metric: "同一指标只能设置一个目标", csrf_failed: "登录状态已变化，请刷新页面后重试"
  };

  var state = { shown: false, timer: null, busy: false, targets: null, metrics: FALLBACK_METRICS,
    summary: null, summaryFailed: null, formShown: false };

  function api(method, path, body) { return zhikeDesk.app.api(method, path, body); }

  function supervisor() { return !!(zhikeDesk.app && zhikeDesk.app.isSupervisor()); }

  // ----- formatting -----
  function pad2(n) { return n < 10 ? "0" + n : String(n); }

  function percent(rate) {
    if (rate === null || rate === undefined || isNaN(rate)) { return "—"; }
    return (Math.round(rate * 1000) / 10) + "%";
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) { return "—"; }
    var s = Math.max(0, Math.round(seconds));
    if (s < 60) { return s + "秒"; }
    if (s < 3600) { return Math.floor(s / 60) + "分" + pad2(s % 60) + "秒"; }
    return Math.floor(s / 3600) + "小时" + pad2(Math.floor(s % 3600 / 60)) + "分";
  }

  function count(n) {
    if (n === null || n === undefined || isNaN(n)) { return "—"; }
    return Number(n).toLocaleString("zh-CN");
  }

  function metricValue(metric, value) { return metric.unit === RATE ? percent(value) : duration(value); }

  function isoDay(date) {
    return date.getFullYear() + "-" + pad2(date.getMonth() + 1) + "-" + pad2(date.getDate());
  }

  // A panel's message: "empty", "error", "loading" or null (hidden); `failure` picks
  // 暂无数据 for an absent route (404) and the error text for anything else.
  function panelMessage(node, kind) {
    if (!node) { return; }
    node.textContent = kind ? MESSAGES[kind] : "";
    node.hidden = !kind;
    node.className = kind === "error" ? "dash-msg bad" : "dash-msg muted";
  }

  function failure(error) { return error && error.status === 404 ? "empty" : "error"; }

  function metricNamed(name) {
    for (var i = 0; i < state.metrics.length; i++) {
      if (state.metrics[i].name === name) { return state.metrics[i]; }
    }
    return null;
  }

  function targetFor(name) {
    var targets = state.targets || [];
    for (var i = 0; i < targets.length; i++) { if (targets[i].metric === name) { return targets[i]; } }
    return null;
  }

  function targetText(metric, target) {
    return "目标 " + (target.direction === ">=" ? "≥" : "≤") + metricValue(metric, target.value);
  }

  // ----- the tab and its route -----
  function route() {
    var wanted = location.hash.indexOf("#dashboard") === 0;
    var allowed = supervisor() && !$("desk-view").hidden;
    $("tab-dash").hidden = !allowed;
    var on = wanted && allowed;
    $("dash-view").hidden = !on;
    $("tab-dash").className = on ? "tab current" : "tab";
    $("tab-dash").setAttribute("aria-current", on ? "page" : "false");
    if (on) {
      $("conv-view").hidden = true;
      $("kb-view").hidden = true;
      ["tab-conv", "tab-kb"].forEach(function (id) {
        $(id).className = "tab";
        $(id).setAttribute("aria-current", "false");
      });
    }
    if (on && !state.shown) { show(); } else if (!on && state.shown) { hide(); }
  }

  function show() {
    state.shown = true;
    state.formShown = false;
    if (zhikeDash.charts) { zhikeDash.charts.show(); }
    resume();
  }

  function hide() {
    state.shown = false;
    pause();
  }

  function resume() {
    pause();
    if (!state.shown || document.hidden) { return; }
    tick();
    state.timer = window.setInterval(tick, LIVE_MS);
  }

  function pause() { window.clearInterval(state.timer); state.timer = null; }

  // ----- the live part -----
  function tick() {
    if (state.busy || !state.shown) { return; }
    state.busy = true;
    var today = isoDay(new Date());
    Promise.all([
      api("GET", "/supervisor/queues").then(renderQueues, function (error) {
        panelMessage($("dash-queues-msg"), "error"); return error;
      }),
      api("GET", "/supervisor/agents").then(renderAgents, function (error) {
        panelMessage($("dash-agents-msg"), "error"); return error;
      }),
      api("GET", "/analytics/targets").then(function (data) {
        state.targets = data.targets || [];
        state.metrics = (data.metrics && data.metrics.length) ? data.metrics : FALLBACK_METRICS;
        if (!state.formShown) { renderForm(); }
      }, function () { if (state.targets === null) { state.targets = []; } }),
      api("GET", "/analytics/summary?since=" + today).then(function (data) {
        state.summary = data; state.summaryFailed = null;
      }, function (error) { state.summary = null; state.summaryFailed = failure(error); })
    ]).then(function () {
      renderKpis();
      $("dash-updated").textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN", { hour12: false });
    }).then(function () { state.busy = false; }, function () { state.busy = false; });
  }

  function cell(row, text, className) { row.appendChild(el("td", className || null, text)); }

  function renderQueues(data) {
    var body = $("dash-queues").tBodies[0];
    clear(body);
    var groups = data.groups || {};
    Object.keys(groups).forEach(function (group) {
      var info = groups[group], entries = info.entries || [];
      var total = entries.reduce(function (sum, entry) { return sum + (entry.waiting_seconds || 0); }, 0);
      var row = el("tr");
      row.dataset.group = group;
      cell(row, util.label("skill_groups", group));
      cell(row, count(info.waiting), "num");
      cell(row, info.waiting ? duration(info.longest_wait_seconds) : "—", "num");
      cell(row, entries.length ? duration(total / entries.length) : "—", "num");
      body.appendChild(row);
    });
    panelMessage($("dash-queues-msg"), body.rows.length ? null : "empty");
  }

  function renderAgents(data) {
    var body = $("dash-agents").tBodies[0];
    clear(body);
    var agents = (data.agents || []).filter(function (agent) { return !agent.supervisor; });
    var online = agents.filter(function (agent) { return agent.online; });
    online.concat(agents.filter(function (agent) { return !agent.online; })).forEach(function (agent) {
      var row = el("tr", agent.online ? "on" : "off");
      cell(row, agent.name);
      cell(row, agent.online ? "在线" : "离线", agent.online ? "state-on" : "muted");
      cell(row, agent.active + "/" + agent.max_concurrent, "num");
      body.appendChild(row);
    });
    $("dash-agents-online").textContent = "在线 " + online.length + "/" + agents.length;
    panelMessage($("dash-agents-msg"), agents.length ? null : "empty");
  }

  function kpiCard(label, value, metric, target, actual) {
    var card = el("div", "kpi");
    card.appendChild(el("span", "kpi-label", label));
    card.appendChild(el("strong", "kpi-value", value));
    if (metric) { card.dataset.metric = metric.name; }
    if (target) {
      card.appendChild(el("span", "kpi-target", targetText(metric, target)));
      if (actual === null || actual === undefined) {
        card.className = "kpi kpi-none";
        card.appendChild(el("span", "kpi-state", "暂无数据"));
      } else {
        var met = target.direction === ">=" ? actual >= target.value : actual <= target.value;
        card.className = met ? "kpi kpi-ok" : "kpi kpi-bad";
        card.appendChild(el("span", "kpi-state", met ? "达标" : "未达标"));
      }
    }
    return card;
  }

  function renderKpis() {
    var box = $("dash-kpis"), summary = state.summary || {};
    clear(box);
    box.appendChild(kpiCard("今日会话", state.summary ? count(summary.conversations) : "—"));
    var names = DEFAULT_KPIS.slice();
    (state.targets || []).forEach(function (t) { if (names.indexOf(t.metric) < 0) { names.push(t.metric); } });
    names.forEach(function (name) {
      var metric = metricNamed(name);
      if (!metric) { return; }
      var actual = state.summary ? summary[name] : null;
      box.appendChild(kpiCard(metric.label, metricValue(metric, actual), metric, targetFor(name), actual));
    });
    panelMessage($("dash-kpis-msg"), state.summary ? null : state.summaryFailed);
  }

  // ----- the KPI target form -----
  function shown(metric, value) {
    return metric.unit === RATE ? String(Math.round(value * 1000) / 10) : String(value);
  }

  // Durations and the handoff, fallback and abandonment rates should go down; the rest up.
  function lowerIsBetter(metric) {
    return metric.unit !== RATE || /handoff|fallback|abandon/.test(metric.name);
  }

  function renderForm() {
    var rows = $("dash-targets-rows");
    clear(rows);
    state.formShown = true;
    state.metrics.forEach(function (metric) {
      var target = targetFor(metric.name);
      var row = el("div", "dash-target-row");
      var id = "dash-target-" + metric.name;
      var name = el("label", "dash-target-name", metric.label);
      name.htmlFor = id;
      var direction = el("select");
      direction.setAttribute("aria-label", metric.label + " 的比较方式");
      direction.dataset.metric = metric.name;
      direction.className = "dash-target-direction";
      [[">=", "≥ 不低于"], ["<=", "≤ 不高于"]].forEach(function (pair) {
        var option = el("option", null, pair[1]);
        option.value = pair[0];
        direction.appendChild(option);
      });
      direction.value = target ? target.direction : lowerIsBetter(metric) ? "<=" : ">=";
      var input = el("input", "dash-target-value");
      input.id = id;
      input.type = "number";
      input.inputMode = "decimal";
      input.min = "0";
      input.max = metric.unit === RATE ? "100" : String(metric.max || 86400);
      input.step = metric.unit === RATE ? "0.1" : "1";
      input.dataset.metric = metric.name;
      input.value = target ? shown(metric, target.value) : "";
      row.appendChild(name);
      row.appendChild(direction);
      row.appendChild(input);
      row.appendChild(el("span", "muted", metric.unit === RATE ? "%" : "秒"));
      rows.appendChild(row);
    });
  }

  function formError(text, input) {
    var error = $("dash-targets-error");
    error.textContent = text;
    error.hidden = !text;
    document.querySelectorAll(".dash-target-value").forEach(function (node) {
      node.removeAttribute("aria-invalid");
    });
    if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
  }

  // The targets of the form, or null after showing what is wrong.
  function readForm() {
    var targets = [], inputs = document.querySelectorAll(".dash-target-value");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i], metric = metricNamed(input.dataset.metric), raw = input.value.trim();
      if (!metric) { continue; }
      if (raw === "" && !input.validity.badInput) { continue; }
      var number = Number(raw), max = metric.unit === RATE ? 100 : (metric.max || 86400);
      if (raw === "" || !isFinite(number) || number < 0 || number > max) {
        formError("「" + metric.label + "」的目标请填写 0 到 " + max + " 之间的数字" +
          (metric.unit === RATE ? "（百分比）" : "（秒）"), input);
        return null;
      }
      var direction = input.parentNode.querySelector(".dash-target-direction").value;
      targets.push({ metric: metric.name, direction: direction,
        value: metric.unit === RATE ? Math.round(number * 10) / 1000 : number });
    }
    return targets;
  }

  function saveTargets(targets, done) {
    var status = $("dash-targets-status");
    $("dash-targets-save").disabled = $("dash-targets-reset").disabled = true;
    status.textContent = "正在保存…";
    api("PUT", "/analytics/targets", { targets: targets }).then(function (data) {
      state.targets = data.targets || [];
      renderForm();
      formError("");
      status.textContent = done;
      renderKpis();
    }, function (error) {
      status.textContent = "";
      formError(TARGET_ERRORS[error.code] || util.describe(error));
    }).then(function () {
      $("dash-targets-save").disabled = $("dash-targets-reset").disabled = false;
    });
  }

  function submitTargets(event) {
    event.preventDefault();
    $("dash-targets-status").textContent = "";
    var targets = readForm();
    if (targets) { formError(""); saveTargets(targets, "目标已保存"); }
  }

  function setup() {
    $("dash-targets-form").addEventListener("submit", submitTargets);
    $("dash-targets-reset").addEventListener("click", function () {
      saveTargets([], "已恢复默认目标");
    });
    window.addEventListener("hashchange", route);  // after desk.js's own route
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) { pause(); } else if (state.shown) { resume(); }
    });
    // desk.js shows #desk-view after a login and hides it at logout.
    new MutationObserver(route).observe($("desk-view"), { attributes: true, attributeFilter: ["hidden"] });
    route();
  }

  document.addEventListener("DOMContentLoaded", setup);

  return {
    percent: percent, duration: duration, count: count, isoDay: isoDay,
    panelMessage: panelMessage, failure: failure, api: api,
    isShown: function () { return state.shown; }
  };
})();
