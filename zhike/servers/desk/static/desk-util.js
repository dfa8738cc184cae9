/* 智客 坐席工作台: shared texts, labels, DOM helpers and the API client (loaded first).
   The page's modules (desk-inbox.js, desk-conversation.js, desk-customer.js, desk-assist.js,
   desk.js) hang off this one object; every API text is shown with textContent. */
var zhikeDesk = (function () {
  "use strict";

  var API = "/api/desk/v1";
  var GROUPS = { orders: "订单组", courses: "课程组", general: "综合组", presales: "售前组" };
  var WHO = { user: "客户", agent: "坐席", bot: "机器人", system: "系统" };
  var STATES = { queued: "排队中", agent: "人工服务中", closed: "已结束", bot: "机器人" };
  // Filled from GET /labels at login (intents, slots, channels, dispositions, statuses, SLA).
  var LABELS = { intents: {}, slots: {}, channels: {}, skill_groups: GROUPS, dispositions: {},
    statuses: {}, sla_seconds: 60 };
  var ERRORS = {
    invalid_credentials: "用户名或密码错误", invalid_credentials_format: "请输入用户名和密码",
    too_many_attempts: "登录失败次数过多，请稍后再试", login_busy: "登录人数较多，请稍后再试",
    invalid_characters: "内容包含无法保存的字符", agent_offline: "请先切换为在线状态",
    already_accepted: "该会话已被其他坐席接入", not_queued: "该会话已不在队列中", agent_at_capacity: "您同时接待的会话已达上限",
    forbidden_group: "无权处理该技能组的会话", not_owner: "该会话不属于您", not_with_agent: "该会话当前不在人工服务中",
    already_closed: "会话已结束", not_transferable: "该会话无法转接", empty_message: "回复内容不能为空",
    text_too_long: "回复内容过长（最多 2000 字）", conversation_not_found: "会话不存在", network: "网络错误，请检查连接"
  };


  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function describe(error) { return ERRORS[error.code] || error.message || "操作失败"; }

  function notify(text, bad) {
    var notice = $("notice");
    notice.textContent = text;
    notice.className = bad ? "notice bad" : "notice";
  }

  // A JSON API (the desk's, or `base`): `csrf()` gives the token for writes, `unauthorized()`
  // runs on a 401. A FormData body (a file upload) is sent as multipart.
  function makeApi(csrf, unauthorized, base) {
    return function api(method, path, body) {
      var headers = { Accept: "application/json" };  // + the CSRF token on every write
      var form = typeof FormData !== "undefined" && body instanceof FormData;
      if (method !== "GET") {
        if (!form) { headers["Content-Type"] = "application/json"; }
        if (csrf()) { headers["X-CSRF-Token"] = csrf(); }
      }
      var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
      if (body !== undefined) { init.body = form ? body : JSON.stringify(body); }
      return fetch((base || API) + path, init).then(function (response) {
        if (response.status === 204) { return null; }
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) { return data; }
          if (response.status === 401 && path !== "/login") { unauthorized(); }
          var error = new Error((data && data.message) || "HTTP " + response.status);
          error.code = data && data.error;
          error.status = response.status;
          error.data = data || {};
          throw error;
        });
      }, function () {
        var error = new Error("network");
        error.code = "network";
        throw error;
      });
    };
  }

  function formatWait(seconds) {
    var s = Math.max(0, Math.floor(seconds || 0));
    var m = Math.floor(s / 60);
    return m ? m + "分" + (s % 60) + "秒" : s + "秒";
  }

  function formatTime(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? "" : date.toLocaleTimeString("zh-CN", { hour12: false });
  }

  function formatDate(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return ""; }
    return (date.getMonth() + 1) + "月" + date.getDate() + "日 " +
      date.toLocaleTimeString("zh-CN", { hour12: false, hour: "2-digit", minute: "2-digit" });
  }

  // The Chinese label of a code from one of the LABELS maps, else the code itself.
  function label(kind, code) {
    var map = LABELS[kind] || {};
    return code === null || code === undefined ? "" : (map[code] || String(code));
  }

  function setLabels(data) {
    Object.keys(data || {}).forEach(function (key) { LABELS[key] = data[key]; });
  }

  function button(className, text, onClick) {
    var node = el("button", className, text);
    node.type = "button";
    if (onClick) { node.addEventListener("click", onClick); }
    return node;
  }

  return {
    API: API, GROUPS: GROUPS, WHO: WHO, STATES: STATES, ERRORS: ERRORS, LABELS: LABELS,
    $: $, el: el, clear: clear, describe: describe, notify: notify, makeApi: makeApi,
    formatWait: formatWait, formatTime: formatTime, formatDate: formatDate, label: label,
    setLabels: setLabels, button: button
  };
})();
