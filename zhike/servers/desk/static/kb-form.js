/* 智客 知识库: texts, the entry form and the version history (loaded before kb.js). */
var zhikeKbForm = (function () {
  "use strict";

  var util = zhikeDesk, $ = util.$, el = util.el, clear = util.clear;
  var STATUS = { draft: "草稿", in_review: "待审核", published: "已发布", archived: "已归档" };
  var ROLES = { editor: "知识编辑", reviewer: "知识审核", supervisor: "主管", agent: "坐席", service: "系统服务" };
  var ACTIONS = {
    create: "新建", update: "修改", submit: "提交审核", approve: "审核通过并发布",
    reject: "驳回", publish: "发布", archive: "归档", "import": "导入"
  };
  var FIELDS = {
    question: "标准问题", answer: "答案", similar: "相似问题", category: "分类", link: "链接",
    buttons: "按钮", channel_answers: "渠道答案", valid_from: "有效期开始", valid_to: "有效期结束",
    comment: "审核意见"
  };
  var ERRORS = {
    forbidden: "抱歉，您的角色无权进行此操作", version_conflict: "该知识刚被其他同事修改过，已为您载入最新内容，请确认后再操作",
    duplicate_question: "该问题已存在于另一条知识中", not_found: "该知识不存在或已被删除",
    conflict: "当前状态下不能进行此操作，请刷新后重试", invalid_file: "文件中有错误，未导入任何内容",
    kb_unavailable: "知识库暂时无法使用，请稍后再试", unavailable: "知识库暂时无法使用，请稍后再试",
    payload_too_large: "文件太大，请拆分后再导入", invalid_format: "请选择 CSV、YAML 或 Excel（.xlsx）文件",
    missing_file: "请先选择要导入的文件", invalid: "内容有误，请检查后重试"
  };

  // An English reason from the server, in Chinese where it follows a known pattern.
  function reason(text) {
    var t = String(text || "");
    var m = /^(\w+) is empty$/.exec(t);
    if (m) { return "「" + (FIELDS[m[1]] || m[1]) + "」不能为空"; }
    m = /^(\w+) is missing$/.exec(t);
    if (m) { return "缺少「" + (FIELDS[m[1]] || m[1]) + "」"; }
    m = /^(\w+) is longer than (\d+) characters$/.exec(t);
    if (m) { return "「" + (FIELDS[m[1]] || m[1]) + "」不能超过 " + m[2] + " 个字"; }
    m = /^(question|similar question) '(.*)' is already on line (\d+)$/.exec(t);
    if (m) { return "问题「" + m[2] + "」与第 " + m[3] + " 行重复"; }
    m = /^'(.*)' is already a question of entry (\d+)$/.exec(t);
    if (m) { return "问题「" + m[1] + "」已属于第 " + m[2] + " 号知识"; }
    if (/^a comment is required$/.test(t)) { return "请填写审核意见"; }
    if (/^valid_from is after valid_to$/.test(t)) { return "有效期开始日期不能晚于结束日期"; }
    if (/not UTF-8/.test(t)) { return "文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8”"; }
    return t;
  }

  function describe(error) {
    if (error.code === "invalid" || (error.data && error.data.field)) { return reason(error.message); }
    return ERRORS[error.code] || util.describe(error);
  }

  function formatDateTime(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? "" : date.toLocaleString("zh-CN", { hour12: false });
  }

  function badge(status) { return el("span", "badge status-" + status, STATUS[status] || status); }

  function lines(text) {
    return String(text || "").split(/\r?\n/).map(function (s) { return s.trim(); })
      .filter(function (s) { return s; });
  }

  // The form's content as an API body (what PUT and POST /entries take).
  function read() {
    return {
      question: $("kb-question").value.trim(),
      similar: lines($("kb-similar").value),
      answer: $("kb-answer").value.trim(),
      category: $("kb-cat").value.trim(),
      valid_from: $("kb-valid-from").value || null,
      valid_to: $("kb-valid-to").value || null
    };
  }

  // What the form asks of the user before saving, or "" when it is complete.
  function problem(body) {
    if (!body.question) { return "请填写标准问题"; }
    if (!body.answer) { return "请填写答案"; }
    if (body.valid_from && body.valid_to && body.valid_from > body.valid_to) {
      return "有效期开始日期不能晚于结束日期";
    }
    return "";
  }

  function fill(entry) {
    $("kb-question").value = entry ? entry.question : "";
    $("kb-similar").value = entry ? entry.similar.join("\n") : "";
    $("kb-answer").value = entry ? entry.answer : "";
    $("kb-cat").value = entry ? entry.category : "";
    $("kb-valid-from").value = (entry && entry.valid_from) || "";
    $("kb-valid-to").value = (entry && entry.valid_to) || "";
    $("kb-comment").value = "";
  }

  function same(entry) {
    var body = read();
    return JSON.stringify([body.question, body.similar, body.answer, body.category,
      body.valid_from, body.valid_to]) === JSON.stringify([entry.question, entry.similar,
      entry.answer, entry.category, entry.valid_from || null, entry.valid_to || null]);
  }

  function setEditable(editable) {
    ["kb-question", "kb-similar", "kb-answer", "kb-cat", "kb-valid-from", "kb-valid-to"]
      .forEach(function (id) { $(id).readOnly = !editable; });
  }

  // The buttons this role may press for an entry in this status (entry null: a new one).
  function showActions(entry, may) {
    var status = entry ? entry.status : null;
    var show = {
      "kb-save": entry ? may.update : may.create,
      "kb-submit": !!entry && may.submit && status === "draft",
      "kb-approve": !!entry && may.review && status === "in_review",
      "kb-reject": !!entry && may.review && status === "in_review",
      "kb-publish": !!entry && may.review && (status === "draft" || status === "archived"),
      "kb-archive": !!entry && may.archive && status !== "archived"
    };
    Object.keys(show).forEach(function (id) { $(id).hidden = !show[id]; });
    $("kb-publish").textContent = status === "archived" ? "重新发布" : "直接发布";
    $("kb-save").textContent = status === "published" || status === "archived" ?
      "保存为新草稿" : "保存草稿";
    var reviewing = may.review && !may.update;
    $("kb-comment-label").textContent = reviewing ? "审核意见（驳回时必填）" : "备注（选填，驳回时必填）";
    var anyAction = Object.keys(show).some(function (id) { return show[id]; });
    $("kb-comment").hidden = $("kb-comment-label").hidden = !anyAction;
    setEditable(entry ? may.update : may.create);
  }

  function renderHistory(records) {
    var list = $("kb-history");
    clear(list);
    records.slice().reverse().forEach(function (record) {
      var item = el("li", "kb-history-item");
      var head = el("div", null, "v" + record.version + " · " + (ACTIONS[record.action] || record.action));
      item.appendChild(head);
      item.appendChild(el("div", "muted", record.actor + "（" + (ROLES[record.role] || record.role) +
        "） · " + formatDateTime(record.at)));
      if (record.comment) { item.appendChild(el("div", "kb-history-comment", "意见：" + record.comment)); }
      list.appendChild(item);
    });
    if (!records.length) { list.appendChild(el("li", "muted", "暂无记录")); }
  }

  return {
    STATUS: STATUS, ROLES: ROLES, reason: reason, describe: describe, badge: badge,
    formatDateTime: formatDateTime, read: read, problem: problem, fill: fill, same: same,
    showActions: showActions, renderHistory: renderHistory
  };
})();
