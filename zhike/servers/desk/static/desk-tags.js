/* 智客 坐席工作台: the customer's tags (客户画像) in the customer panel. Automatic tags are
   read-only, with why in their tooltip; agents add (≤32 字, with suggestions) and remove
   manual tags of their customers (GET/POST/DELETE /customers/<id>/tags). */
(function () {
  "use strict";

  var util = zhikeDesk, el = util.el, clear = util.clear;
  var MAX = 32;
  var ERRORS = {
    tag_empty: "请输入标签内容", tag_too_long: "标签最多 32 个字", invalid_tag: "请输入标签内容",
    invalid_characters: "标签包含无法保存的字符", tag_personal_data: "标签中不能包含手机号、身份证号等个人信息", too_many_tags: "每位客户最多添加 20 个手动标签",
    not_your_customer: "只能为您接待过的客户添加或删除标签", tag_not_found: "该标签已被删除",
    customer_not_found: "暂无该客户的资料", invalid_customer_id: "客户编号无效",
    csrf_failed: "登录状态已变化，请刷新页面后重试", network: "网络错误，请检查连接"
  };

  function describe(error) { return ERRORS[error.code] || "标签保存失败，请稍后重试"; }

  function chip(tag, onRemove) {
    var item = el("li", "tag-chip tag-" + (tag.colour || "grey"));
    item.setAttribute("data-source", tag.source);
    item.appendChild(el("span", "tag-text", tag.label));
    if (tag.source === "auto") {
      item.title = tag.reason || tag.label;
      item.setAttribute("aria-label", tag.label + "（自动：" + (tag.reason || "") + "）");
    } else {
      item.title = "由 " + tag.created_by + " 添加";
      var remove = util.button("tag-remove", "×", function () { onRemove(tag.label); });
      remove.setAttribute("aria-label", "删除标签 " + tag.label);
      item.appendChild(remove);
    }
    return item;
  }

  // Fills `box` with the tags of the conversation's customer (nothing when anonymous).
  function mount(box, conv) {
    var id = conv.id, customer = conv.customer_id;
    var path = "/customers/" + encodeURIComponent(customer) + "/tags";
    box.appendChild(el("h3", null, "客户标签"));
    var list = el("ul", "tag-list");
    list.id = "cust-tags";
    var status = el("p", "muted", "正在读取标签…");
    var form = el("form", "tag-form");
    form.noValidate = true;
    var input = el("input");
    input.id = "tag-input";
    input.type = "text";
    input.maxLength = MAX;
    input.placeholder = "添加标签，最多32字";
    input.setAttribute("aria-label", "添加客户标签");
    input.setAttribute("list", "tag-suggestions");
    var options = el("datalist");
    options.id = "tag-suggestions";
    var add = el("button", null, "添加");
    add.type = "submit";
    add.id = "tag-add";
    var error = el("p", "error");
    error.id = "tag-error";
    error.setAttribute("role", "alert");
    error.hidden = true;
    form.appendChild(input);
    form.appendChild(options);
    form.appendChild(add);
    [list, status, form, error].forEach(function (node) { box.appendChild(node); });

    function current() { return util.app.currentId() === id; }

    function show(data) {
      if (!current()) { return; }
      clear(list);
      data.tags.forEach(function (tag) { list.appendChild(chip(tag, removeTag)); });
      status.hidden = data.tags.length > 0 && !data.errors.length;
      status.textContent = data.errors.length ? data.errors[0].message :
        (data.tags.length ? "" : "暂无标签");
      clear(options);
      (data.suggestions || []).forEach(function (text) {
        var option = el("option");
        option.value = text;
        options.appendChild(option);
      });
    }

    function fail(err) {
      if (!current()) { return; }
      error.textContent = describe(err);
      error.hidden = false;
    }

    function write(method, text) {
      error.hidden = true;
      return util.app.api(method, path, { tag: text }).then(show, fail);
    }

    function removeTag(text) { return write("DELETE", text); }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) { fail({ code: "tag_empty" }); return; }
      if (text.length > MAX) { fail({ code: "tag_too_long" }); return; }
      add.disabled = true;
      write("POST", text).then(function () {
        add.disabled = false;
        if (error.hidden) { input.value = ""; }
      });
    });

    util.app.api("GET", path).then(show, function (err) {
      if (!current()) { return; }
      status.textContent = err.code === "not_your_customer" ? "接入会话后可查看客户标签" : "标签暂时无法读取";
      form.hidden = true;
    });
  }

  util.tags = { mount: mount };
})();
