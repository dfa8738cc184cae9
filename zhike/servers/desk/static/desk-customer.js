/* 智客 坐席工作台: the customer panel (GET /conversations/<id>/context): masked name and
   phone, VIP, the channel, recent orders and upcoming lessons with their state, open
   tickets, and earlier conversations with their ratings. */
(function () {
  "use strict";

  var util = zhikeDesk, $ = util.$, el = util.el, clear = util.clear, label = util.label;

  function section(title, items, empty, render) {
    var box = el("section", "cust-section");
    box.appendChild(el("h3", null, title));
    if (items === null || items === undefined) {
      box.appendChild(el("p", "muted", "暂时无法读取"));
      return box;
    }
    if (!items.length) {
      box.appendChild(el("p", "muted", empty));
      return box;
    }
    var list = el("ul", "cust-list");
    items.forEach(function (item) { list.appendChild(render(item)); });
    box.appendChild(list);
    return box;
  }

  function line(main, state, extra) {
    var item = el("li", null);
    item.appendChild(el("span", "cust-main", main));
    if (state) { item.appendChild(el("span", "tag state", state)); }
    if (extra) { item.appendChild(el("span", "muted cust-extra", extra)); }
    return item;
  }

  function stars(rating) {
    return rating ? "★".repeat(rating) + "☆".repeat(5 - rating) : "未评价";
  }

  function render(conv, data) {
    var panel = $("customer");
    clear(panel);
    var customer = data.customer;
    var head = el("div", "cust-head");
    if (customer) {
      head.appendChild(el("strong", "cust-name", customer.name));
      if (customer.vip) { head.appendChild(el("span", "tag vip", "VIP")); }
      head.appendChild(el("div", "cust-phone", "手机 " + (customer.phone || "—")));
    } else if (conv.customer_id) {
      head.appendChild(el("strong", "cust-name", "客户 " + conv.customer_id));
      head.appendChild(el("div", "muted", "客户资料暂时无法读取"));
    } else {
      head.appendChild(el("strong", "cust-name", "匿名访客"));
      head.appendChild(el("div", "muted", "未绑定账户，可引导客户验证手机号"));
    }
    head.appendChild(el("div", "cust-channel", "当前渠道：" + label("channels", conv.channel)));
    panel.appendChild(head);
    if (conv.customer_id && util.tags) {  // 客户标签 (desk-tags.js)
      var tags = el("section", "cust-section cust-tags");
      panel.appendChild(tags);
      util.tags.mount(tags, conv);
    }
    if (customer || conv.customer_id) {
      panel.appendChild(section("最近订单", data.orders, "暂无订单", function (order) {
        return line(order.order_id, label("statuses", order.status),
          "¥" + order.amount + " · " + util.formatDate(order.created_at));
      }));
      panel.appendChild(section("近期课程", data.lessons, "暂无课程", function (lesson) {
        return line(lesson.course_name, label("statuses", lesson.status),
          util.formatDate(lesson.start_at) + " · " + lesson.teacher);
      }));
      panel.appendChild(section("未完结工单", data.tickets, "暂无未完结工单", function (ticket) {
        return line(ticket.ticket_id, label("statuses", ticket.status), ticket.summary);
      }));
    }
    panel.appendChild(section("历史会话", data.history, "这是客户第一次转人工", function (past) {
      return line(util.formatDate(past.handoff_requested_at) + " · " + past.channel_label,
        past.closed_at ? label("dispositions", past.disposition) || "已结束" : "进行中",
        stars(past.rating));
    }));
  }

  function load(conv) {
    var id = conv.id;
    $("customer").textContent = "正在读取客户资料…";
    return zhikeDesk.app.api("GET", "/conversations/" + id + "/context").then(function (data) {
      if (zhikeDesk.app.currentId() === id) { render(conv, data); }
    }, function () {
      if (zhikeDesk.app.currentId() === id) { $("customer").textContent = "客户资料暂时无法读取"; }
    });
  }

  util.customer = { load: load };
})();
