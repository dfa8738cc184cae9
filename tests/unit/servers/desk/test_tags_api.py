"""Customer tags (客户画像) over HTTP: who may read and write them, upserts, segments."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.unit.servers.desk.background_round import background_round
from tests.unit.servers.desk.conftest import Desk, build_desk, desk_settings
from zhike.lib.backend_client import BackendUnavailable
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.tags import TagResult
from zhike.servers.desk.assist import AssistServices
from zhike.servers.desk.background import stale_customers
from zhike.servers.desk.tags_db import customer_tags, replace_auto_tags
from zhike.servers.desk.tags_service import STALE_AFTER, tag_service


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    built = await build_desk(desk_settings())
    built.app.ctx.desk_assist = AssistServices.from_settings(
        built.context.settings, backend=InMemoryBackendClient()
    )
    yield built
    await built.context.close()


async def handed_over(desk: Desk, customer_id: str = "C001", sender: str = "app:C001") -> int:
    outcome = await desk.handoff.request_handoff(
        sender, "app", customer_id, "orders", {"intent": "query_order"}
    )
    return int(outcome.conversation_id)


async def accepted(desk: Desk, username: str = "wangfang", customer_id: str = "C001") -> int:
    conversation = await handed_over(desk, customer_id, f"app:{customer_id}")
    user = await desk.login(username)
    response = await desk.call("POST", f"/conversations/{conversation}/accept", user)
    assert response.status == 200, response.text
    return conversation


def labels(body: dict[str, Any], source: str = "auto") -> dict[str, str]:
    return {tag["label"]: tag["reason"] for tag in body["tags"] if tag["source"] == source}


async def test_the_agent_of_a_conversation_sees_the_customers_automatic_tags(desk: Desk) -> None:
    await accepted(desk)
    user = await desk.login("wangfang")
    pending = await desk.call("GET", "/customers/C001/tags", user)  # reads, computes nothing
    assert pending.json["tags"] == [] and pending.json["errors"] == [
        {"part": "auto", "error": "tags_pending", "message": "自动标签正在计算，请稍后刷新"}
    ]
    await background_round(desk)  # the customer talks to an agent: tags never computed

    response = await desk.call("GET", "/customers/C001/tags", user)

    assert response.status == 200, response.text
    assert response.json["errors"] == []
    assert labels(response.json) == {
        "高频退款": "近90天退款3次",
        "VIP": "会员等级为 VIP",
        "课程家长": "孩子在读课程2门",
        "新客户": "第一次转人工咨询",
        "近期意图：查询订单状态": "近30天「查询订单状态」1次",
    }
    again = await desk.call("GET", "/customers/C001/tags", user)
    assert again.json["tags"] == response.json["tags"]


async def test_a_waiting_customers_tags_are_refreshed_once_they_are_old(desk: Desk) -> None:
    await handed_over(desk, "C001", "app:C001")
    assert await stale_customers(desk.app) == ["C001"]  # never computed
    await background_round(desk)
    assert await stale_customers(desk.app) == []
    desk.clock.advance(seconds=(STALE_AFTER + timedelta(minutes=1)).total_seconds())
    assert await stale_customers(desk.app) == ["C001"]


async def test_agents_add_and_remove_manual_tags_with_clear_refusals(desk: Desk) -> None:
    await accepted(desk)
    user = await desk.login("wangfang")
    path = "/customers/C001/tags"

    added = await desk.call("POST", path, user, {"tag": "  老客户 "})
    assert added.status == 201, added.text
    assert labels(added.json, "manual") == {"老客户": ""}
    manual = next(t for t in added.json["tags"] if t["source"] == "manual")
    assert manual["created_by"] == "wangfang"
    assert (await desk.call("POST", path, user, {"tag": "老客户"})).status == 200
    assert (await desk.call("GET", path, user)).json["suggestions"] == ["老客户"]

    too_long = await desk.call("POST", path, user, {"tag": "长" * 33})
    assert (too_long.status, too_long.json["error"]) == (400, "tag_too_long")
    empty = await desk.call("POST", path, user, {"tag": "   "})
    assert (empty.status, empty.json["error"]) == (400, "tag_empty")
    assert (await desk.call("POST", path, user, {"tag": 5})).status == 400
    assert (await desk.call("POST", path, user, {"tag": "新\u200b客"})).status == 400
    phone = await desk.call("POST", path, user, {"tag": "备用电话13900139000"})
    assert (phone.status, phone.json["error"]) == (400, "tag_personal_data")
    no_csrf = await desk.call("POST", path, user, {"tag": "x"}, csrf=False)
    assert no_csrf.status == 403
    assert (await desk.call("GET", path)).status == 401

    removed = await desk.call("DELETE", path, user, {"tag": "老客户"})
    assert removed.status == 200, removed.text
    assert labels(removed.json, "manual") == {}
    gone = await desk.call("DELETE", path, user, {"tag": "老客户"})
    assert (gone.status, gone.json["error"]) == (404, "tag_not_found")


async def test_only_the_customers_agents_and_supervisors_may_touch_the_tags(desk: Desk) -> None:
    await accepted(desk)
    path = "/customers/C001/tags"
    other_group = await desk.login("liuyang")  # courses
    same_group = await desk.login("chenjing")  # orders, not the conversation's agent
    boss = await desk.login("boss")

    for user in (other_group, same_group):
        assert (await desk.call("GET", path, user)).status == 403
        refused = await desk.call("POST", path, user, {"tag": "老客户"})
        assert (refused.status, refused.json["error"]) == (403, "not_your_customer")
    assert (await desk.call("POST", path, boss, {"tag": "重点关注"})).status == 201
    assert (await desk.call("GET", path, boss)).status == 200

    unknown = await desk.call("GET", "/customers/C999/tags", boss)
    assert (unknown.status, unknown.json["error"]) == (404, "customer_not_found")
    bad = await desk.call("GET", "/customers/C%20001%3B/tags", boss)
    assert (bad.status, bad.json["error"]) == (400, "invalid_customer_id")


async def test_agents_of_the_group_may_read_the_tags_while_the_customer_waits(desk: Desk) -> None:
    await handed_over(desk)
    chenjing = await desk.login("chenjing")
    assert (await desk.call("GET", "/customers/C001/tags", chenjing)).status == 200
    assert (await desk.call("POST", "/customers/C001/tags", chenjing, {"tag": "x"})).status == 403
    liuyang = await desk.login("liuyang")
    assert (await desk.call("GET", "/customers/C001/tags", liuyang)).status == 403


async def test_segments_count_customers_per_tag_for_supervisors_only(desk: Desk) -> None:
    await accepted(desk)
    await accepted(desk, "chenjing", "C002")
    wang, chen = await desk.login("wangfang"), await desk.login("chenjing")
    await desk.call("POST", "/customers/C001/tags", wang, {"tag": "老客户"})
    await desk.call("POST", "/customers/C002/tags", chen, {"tag": "老客户"})
    await background_round(desk)  # computes both customers' tags

    assert (await desk.call("GET", "/tags/segments", wang)).status == 403
    response = await desk.call("GET", "/tags/segments", await desk.login("boss"))

    assert response.status == 200, response.text
    rows = {row["label"]: row["customers"] for row in response.json["rows"]}
    assert rows["老客户"] == 2
    assert rows["课程家长"] == 2  # both are parents in the sample data
    assert rows["VIP"] == 1
    assert response.json["rows"][0]["customers"] == 2
    assert set(response.json["rows"][0]) >= {"tag", "label", "customers"}


async def test_closing_a_conversation_recomputes_the_customers_tags(desk: Desk) -> None:
    conversation = await accepted(desk, customer_id="C002")
    user = await desk.login("wangfang")
    closed = await desk.call(
        "POST", f"/conversations/{conversation}/close", user, {"disposition": "resolved"}
    )
    assert closed.status == 200, closed.text
    assert await customer_tags(desk.context.auth.db, "C002") == []  # the close waits for nothing
    desk.clock.advance(seconds=61)  # no analytics consumer here: inspected after the grace
    result = await background_round(desk)
    assert result.inspected == 1 and result.customers == {"C002"}
    found = await customer_tags(desk.context.auth.db, "C002")
    assert {tag.label for tag in found} == {"课程家长", "新客户", "近期意图：查询订单状态"}


async def test_upserts_are_idempotent_and_a_failing_source_keeps_its_tags(desk: Desk) -> None:
    db = desk.context.auth.db
    vip = TagResult("vip", "", "VIP", "yellow", "会员等级为 VIP")
    evaluated = {"vip", "refund_frequent"}
    await asyncio.gather(*(replace_auto_tags(db, "C001", [vip], evaluated) for _ in range(4)))
    await replace_auto_tags(db, "C001", [vip], evaluated)
    assert [(t.tag, t.label) for t in await customer_tags(db, "C001")] == [("vip", "VIP")]
    changed = TagResult("vip", "", "VIP", "yellow", "新的原因")
    await replace_auto_tags(db, "C001", [changed], evaluated)
    assert [t.reason for t in await customer_tags(db, "C001")] == ["新的原因"]
    await replace_auto_tags(db, "C001", [], {"refund_frequent"})  # vip not evaluated: kept
    assert len(await customer_tags(db, "C001")) == 1
    await replace_auto_tags(db, "C001", [], evaluated)
    assert await customer_tags(db, "C001") == []

    await handed_over(desk)
    service = tag_service(desk.app)
    await service.recompute("C001")
    before = {t.label for t in await customer_tags(db, "C001")}
    assert "高频退款" in before

    class OrdersDown(InMemoryBackendClient):
        async def list_orders(self, customer_id: str) -> Any:
            raise BackendUnavailable("orders down")

    desk.app.ctx.desk_assist.backend = OrdersDown()
    await service.recompute("C001")
    assert {t.label for t in await customer_tags(db, "C001")} == before


async def test_an_invalid_rules_file_still_shows_the_stored_tags(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("version: 1\nrules: oops\n", encoding="utf-8")
    monkeypatch.setenv("ZHIKE_TAG_RULES", str(rules))
    await accepted(desk)
    user = await desk.login("wangfang")
    await desk.call("POST", "/customers/C001/tags", user, {"tag": "老客户"})

    response = await desk.call("GET", "/customers/C001/tags", user)

    assert response.status == 200, response.text
    assert response.json["errors"] == [
        {"part": "auto", "error": "rules_invalid", "message": "自动标签规则有误"}
    ]
    assert [tag["label"] for tag in response.json["tags"]] == ["老客户"]
