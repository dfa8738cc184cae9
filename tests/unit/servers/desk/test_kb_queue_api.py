"""The KB API's search, unanswered-questions queue and coverage: roles, actions, numbers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from zhike.lib.kb.domain import SUPERVISOR, Actor
from zhike.lib.kb.seed import ensure_seeded
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.unanswered import FALLBACK, HANDOFF, LOW_RATING, REJECTED, UnansweredQueue
from zhike.servers.desk import DeskContext, DeskSettings
from zhike.servers.desk.context import open_context
from zhike.tools.stack import PROJECT_ROOT

from .conftest import TOKEN, Desk, User, desk_settings, kb_call

SEED = PROJECT_ROOT / "data" / "kb" / "faq.yml"
PICKUP = {
    "question": "支持门店自提吗？",
    "answer": "您好，支持门店自提：下单时选择“门店自提”，到货后凭取件码到店领取即可。",
    "similar": ["可以到店自取吗", "能去实体店取货吗"],
    "category": "配送",
}
# The same question asked three ways, and something else.
COUPONS = ["优惠券过期了还能用吗", "优惠券过期了还能用吗？", "过期的优惠券还能用吗"]
DIGITAL = "你们支持数字人民币付款吗"


def base(desk: Desk) -> KnowledgeBase:
    kb = desk.context.kb
    assert kb is not None
    return kb


async def search(desk: Desk, user: User | None, text: str, k: int = 5, **extra: Any) -> Any:
    return await kb_call(desk, "GET", f"/search?q={quote(text)}&k={k}", user, **extra)


async def record_questions(desk: Desk) -> dict[str, int]:
    """Three questions about expired coupons (one 都不是) and one about digital yuan."""
    queue = UnansweredQueue(base(desk))
    at = desk.clock() - timedelta(hours=1)
    ids = [await queue.record(text, FALLBACK, "web", at) for text in COUPONS[:2]]
    ids.append(await queue.record(COUPONS[2], REJECTED, "wechat", at))
    digital = await queue.record(DIGITAL, FALLBACK, "web", at)
    assert len(set(ids)) == 1 and digital not in ids  # near-duplicates are one group
    return {"coupons": int(ids[0]), "digital": int(digital or 0)}


async def open_groups(desk: Desk, user: User) -> list[dict[str, Any]]:
    response = await kb_call(desk, "GET", "/unanswered", user)
    assert response.status == 200, response.text
    groups: list[dict[str, Any]] = response.json["groups"]
    return groups


async def test_search_answers_as_the_robot_would_and_sees_a_publish_at_once(
    kb_desk: Desk,
) -> None:
    await ensure_seeded(base(kb_desk), SEED)
    agent, editor = await kb_desk.login("wangfang"), await kb_desk.login("bianji")
    reviewer = await kb_desk.login("shenhe")

    exact = (await search(kb_desk, agent, "下单后多久发货？")).json
    unknown = (await search(kb_desk, agent, DIGITAL, k=3)).json
    assert exact["decision"] == "answer" and exact["query"] == "下单后多久发货？"
    top = exact["hits"][0]
    assert top["question"] == "下单后多久发货？" and top["answer"].startswith("亲，现货订单")
    assert set(top) >= {"id", "question", "answer", "score"} and 0 < top["score"] <= 1
    assert len(exact["hits"]) <= 5
    assert unknown["decision"] == "none" and len(unknown["hits"]) <= 3

    made = await kb_call(kb_desk, "POST", "/entries", editor, body=PICKUP)
    entry_id = made.json["entry"]["id"]
    drafted = (await search(kb_desk, agent, "门店能自提不")).json
    await kb_call(kb_desk, "POST", f"/entries/{entry_id}/publish", reviewer)
    live = (await search(kb_desk, agent, "门店能自提不")).json

    assert entry_id not in [hit["id"] for hit in drafted["hits"]]  # drafts are not live
    assert live["hits"][0]["id"] == entry_id and live["decision"] in ("answer", "suggest")


async def test_search_refuses_an_empty_or_long_query_and_needs_a_login(kb_desk: Desk) -> None:
    agent = await kb_desk.login("wangfang")

    empty = await kb_call(kb_desk, "GET", "/search?q=%20", agent)
    long = await search(kb_desk, agent, "退" * 201)
    bad_k = await kb_call(kb_desk, "GET", "/search?q=退款&k=many", agent)
    anonymous = await search(kb_desk, None, "退款")
    service = await search(kb_desk, None, "退款", headers={"authorization": f"Bearer {TOKEN}"})

    assert (empty.status, empty.json["error"]) == (400, "invalid_q")
    assert (long.status, long.json["error"]) == (400, "invalid_q")
    assert (bad_k.status, bad_k.json["error"]) == (400, "invalid_k")
    assert (anonymous.status, anonymous.json["error"]) == (401, "unauthenticated")
    assert service.status == 200 and service.json["hits"] == []  # an empty knowledge base


async def test_the_queue_lists_groups_by_frequency_with_examples_and_reasons(
    kb_desk: Desk,
) -> None:
    groups = await record_questions(kb_desk)
    agent = await kb_desk.login("wangfang")

    listed = await open_groups(kb_desk, agent)

    assert [g["id"] for g in listed] == [groups["coupons"], groups["digital"]]
    coupons = listed[0]
    assert coupons["count"] == 3 and coupons["text"] == COUPONS[0]
    assert set(coupons["examples"]) == set(COUPONS)
    assert coupons["reasons"] == {FALLBACK: 2, REJECTED: 1}
    assert listed[1]["examples"] == [DIGITAL] and listed[1]["count"] == 1
    later = (kb_desk.clock() + timedelta(days=1)).date().isoformat()
    none_since = await kb_call(kb_desk, "GET", f"/unanswered?since={later}", agent)
    one = await kb_call(kb_desk, "GET", "/unanswered?limit=1", agent)
    naive = await kb_call(kb_desk, "GET", "/unanswered?since=2024-06-01T10:00:00", agent)
    assert none_since.json["groups"] == []
    assert [g["id"] for g in one.json["groups"]] == [groups["coupons"]]
    assert (naive.status, naive.json["error"]) == (400, "invalid_since")


async def test_an_editor_turns_a_group_into_a_draft_and_only_reviewers_publish(
    kb_desk: Desk,
) -> None:
    groups = await record_questions(kb_desk)
    editor, boss = await kb_desk.login("bianji"), await kb_desk.login("boss")
    agent, reviewer = await kb_desk.login("wangfang"), await kb_desk.login("shenhe")
    draft = {
        "question": "优惠券过期了还能用吗？",
        "answer": "抱歉，优惠券过期后无法使用，请留意券上的有效期哦。",
        "similar": ["过期的优惠券还能用吗"],
        "category": "优惠",
    }
    path = f"/unanswered/{groups['coupons']}/new-entry"

    for who in (agent, reviewer):  # neither writes content
        refused = await kb_call(kb_desk, "POST", path, who, body=draft)
        assert (refused.status, refused.json["error"]) == (403, "forbidden")
    publishing = await kb_call(kb_desk, "POST", path, editor, body={**draft, "publish": True})
    assert (publishing.status, publishing.json["error"]) == (403, "forbidden")
    total = (await kb_call(kb_desk, "GET", "/stats", editor)).json["total"]
    assert total == 0 and len(await open_groups(kb_desk, editor)) == 2  # nothing happened

    made = await kb_call(kb_desk, "POST", path, editor, body=draft)
    assert made.status == 201, made.text
    assert made.json["entry"]["status"] == "draft"
    assert made.json["entry"]["question"] == draft["question"]
    assert [g["id"] for g in await open_groups(kb_desk, editor)] == [groups["digital"]]
    again = await kb_call(kb_desk, "POST", path, editor, body=draft)
    assert (again.status, again.json["error"]) == (409, "conflict")

    digital = {"question": "支持数字人民币付款吗？", "answer": "您好，暂不支持数字人民币。"}
    live = await kb_call(
        kb_desk,
        "POST",
        f"/unanswered/{groups['digital']}/new-entry",
        boss,
        body={**digital, "publish": True},
    )
    assert live.status == 201 and live.json["entry"]["status"] == "published"
    found = (await search(kb_desk, agent, "支持数字人民币付款吗？")).json
    assert found["decision"] == "answer" and found["hits"][0]["id"] == live.json["entry"]["id"]
    assert await open_groups(kb_desk, editor) == []


async def test_a_group_becomes_similar_questions_of_an_entry(kb_desk: Desk) -> None:
    groups = await record_questions(kb_desk)
    editor, reviewer = await kb_desk.login("bianji"), await kb_desk.login("shenhe")
    token = {"authorization": f"Bearer {TOKEN}"}
    coupon = {"question": "优惠券怎么用？", "answer": "您好，结算时勾选优惠券即可抵扣。"}
    made = await kb_call(kb_desk, "POST", "/entries", body=coupon, headers=token)
    entry_id = made.json["entry"]["id"]
    published = await kb_call(kb_desk, "POST", f"/entries/{entry_id}/publish", headers=token)
    live_version = published.json["entry"]["version"]
    path = f"/unanswered/{groups['coupons']}/add-similar"

    bad = await kb_call(kb_desk, "POST", path, editor, body={"entry_id": "one"})
    missing = await kb_call(kb_desk, "POST", path, editor, body={"entry_id": 999})
    by_reviewer = await kb_call(kb_desk, "POST", path, reviewer, body={"entry_id": entry_id})
    added = await kb_call(kb_desk, "POST", path, editor, body={"entry_id": entry_id})

    assert (bad.status, bad.json["error"]) == (400, "invalid_entry_id")
    assert missing.status == 404
    assert (by_reviewer.status, by_reviewer.json["error"]) == (403, "forbidden")
    assert added.status == 200, added.text
    entry = added.json["entry"]
    # A change like any other: a draft to review; the robot answers the published version.
    assert entry["status"] == "draft" and entry["live_version"] == live_version
    assert set(entry["similar"]) == {COUPONS[0], COUPONS[2]}  # "？" makes no new question
    assert [g["id"] for g in await open_groups(kb_desk, editor)] == [groups["digital"]]


async def test_dismissing_needs_a_knowledge_role_and_happens_once(kb_desk: Desk) -> None:
    groups = await record_questions(kb_desk)
    agent, reviewer = await kb_desk.login("wangfang"), await kb_desk.login("shenhe")
    path = f"/unanswered/{groups['digital']}/dismiss"

    by_agent = await kb_call(kb_desk, "POST", path, agent)
    dismissed = await kb_call(kb_desk, "POST", path, reviewer)
    twice = await kb_call(kb_desk, "POST", path, reviewer)
    unknown = await kb_call(kb_desk, "POST", "/unanswered/999/dismiss", reviewer)
    no_csrf = await kb_call(
        kb_desk, "POST", f"/unanswered/{groups['coupons']}/dismiss", reviewer, csrf=False
    )

    assert (by_agent.status, by_agent.json["error"]) == (403, "forbidden")
    assert dismissed.status == 200 and dismissed.json == {
        "id": groups["digital"],
        "state": "dismissed",
    }
    assert twice.status == 409 and unknown.status == 404
    assert (no_csrf.status, no_csrf.json["error"]) == (403, "csrf_failed")
    assert [g["id"] for g in await open_groups(kb_desk, agent)] == [groups["coupons"]]
    me = (await kb_call(kb_desk, "GET", "/me", agent)).json
    assert me["may"]["triage"] is False
    assert (await kb_call(kb_desk, "GET", "/me", reviewer)).json["may"]["triage"] is True


async def test_coverage_counts_answers_that_needed_no_human(kb_desk: Desk) -> None:
    agent = await kb_desk.login("wangfang")
    empty = (await kb_call(kb_desk, "GET", "/coverage", agent)).json
    assert empty["rate"] is None and empty["questions"] == 0 and empty["days"] == 7

    queue, now = UnansweredQueue(base(kb_desk)), kb_desk.clock()
    for hours in range(1, 10):  # nine answers from the knowledge base this week
        await queue.record_answer(1, "web", now - timedelta(hours=hours))
    await queue.record("这个答案没用，我要找人工", HANDOFF, "web", now - timedelta(hours=2))
    await queue.record("态度太差", LOW_RATING, "web", now - timedelta(hours=3))
    await queue.record("支持数字人民币吗", FALLBACK, "web", now - timedelta(hours=4))
    await queue.record("很久以前的问题", FALLBACK, "web", now - timedelta(days=8))

    week = (await kb_call(kb_desk, "GET", "/coverage?days=7", agent)).json
    month = (await kb_call(kb_desk, "GET", "/coverage?days=30", agent)).json
    bad = await kb_call(kb_desk, "GET", "/coverage?days=0", agent)

    # 10 questions (9 answered + 1 fallback); 2 answers were followed by a human or 差评.
    assert (week["questions"], week["covered"], week["rate"]) == (10, 7, 0.7)
    assert month["questions"] == 11
    assert (bad.status, bad.json["error"]) == (400, "invalid_days")


async def test_the_desk_seeds_an_empty_knowledge_base_but_never_a_written_one(
    tmp_path: Path,
) -> None:
    settings = desk_settings(tmp_path, kb_seed=SEED)
    first = await open_context(settings)
    kb = base_of(first)
    seeded = (await kb.stats()).live
    archived = (await kb.list(status="published")).items[0]
    await kb.archive(archived.id, Actor("boss", SUPERVISOR))
    await first.close()

    again = await open_context(settings)  # a restart: staff's changes stay
    stats = await base_of(again).stats()
    await again.close()

    assert seeded >= 16 and stats.live == seeded - 1
    assert DeskSettings.from_env({"ZHIKE_KB_SEED": str(SEED)}).kb_seed == SEED


def base_of(context: DeskContext) -> KnowledgeBase:
    assert context.kb is not None
    return context.kb
