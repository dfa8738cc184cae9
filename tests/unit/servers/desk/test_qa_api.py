"""The quality-inspection routes (质检) and the live word checks, by role."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.analytics.conftest import T0, Script
from zhike.analytics.ingest import apply_events

from .background_round import analytics_of, background_round
from .conftest import Desk, User, queued


async def served(desk: Desk, agent: User, sender: str, replies: list[str]) -> int:
    """A queued conversation accepted by ``agent``, answered with ``replies``."""
    cid = await queued(desk, sender)
    assert (await desk.call("POST", f"/conversations/{cid}/accept", agent)).status == 200
    for text in replies:
        answer = await desk.call(
            "POST", f"/conversations/{cid}/messages", agent, body={"text": text}
        )
        assert answer.status == 201, answer.text
    return cid


async def close(desk: Desk, agent: User, cid: int) -> None:
    answer = await desk.call(
        "POST", f"/conversations/{cid}/close", agent, body={"disposition": "resolved"}
    )
    assert answer.status == 200


async def test_a_reply_with_a_sensitive_word_is_refused_and_not_sent(desk: Desk) -> None:
    agent = await desk.login("wangfang")
    cid = await served(desk, agent, "qa-1", ["您好，很高兴为您服务"])
    before = len(desk.sink.delivered)
    refused = await desk.call(
        "POST", f"/conversations/{cid}/messages", agent, body={"text": "有问题可以加我微信聊"}
    )
    assert refused.status == 422
    assert refused.json["error"] == "sensitive_word"
    assert (
        refused.json["message"]
        == "回复中含有引流类敏感词「加我微信」，未发送给客户，请修改后再发送"
    )
    messages = (await desk.call("GET", f"/conversations/{cid}", agent)).json["messages"]
    assert [m["text"] for m in messages if m["direction"] == "agent"] == ["您好，很高兴为您服务"]
    assert len(desk.sink.delivered) == before
    # a harmless reply with letters that contain a listed ASCII word goes through
    usb = await desk.call(
        "POST", f"/conversations/{cid}/messages", agent, body={"text": "USB 线在盒子里"}
    )
    assert usb.status == 201


async def test_a_word_a_supervisor_adds_is_refused_at_once_and_removing_it_allows_it(
    desk: Desk,
) -> None:
    boss, agent = await desk.login("boss"), await desk.login("wangfang")
    cid = await served(desk, agent, "qa-2", ["您好"])
    added = await desk.call(
        "POST", "/qa/words", boss, body={"word": "包您满意", "category": "违规承诺"}
    )
    assert added.status == 201
    word_id = added.json["word"]["id"]
    refused = await desk.call(
        "POST", f"/conversations/{cid}/messages", agent, body={"text": "包您满意！"}
    )
    assert refused.status == 422 and "违规承诺" in refused.json["message"]
    again = await desk.call(
        "POST", "/qa/words", boss, body={"word": "包您满意", "category": "违规承诺"}
    )
    assert again.status == 409
    bad = await desk.call("POST", "/qa/words", boss, body={"word": "x", "category": "别的"})
    assert bad.status == 400
    assert (await desk.call("DELETE", f"/qa/words/{word_id}", boss)).status == 200
    assert (await desk.call("DELETE", f"/qa/words/{word_id}", boss)).status == 404
    sent = await desk.call(
        "POST", f"/conversations/{cid}/messages", agent, body={"text": "包您满意！"}
    )
    assert sent.status == 201


async def test_customer_abuse_is_masked_where_agents_see_it(desk: Desk) -> None:
    agent = await desk.login("wangfang")
    cid = await served(desk, agent, "qa-3", ["您好"])
    await desk.handoff.route_user_message(
        "qa-3", "rest", "你们这帮傻逼，电话13800138000", "qa-3-m2"
    )
    messages = (await desk.call("GET", f"/conversations/{cid}", agent)).json["messages"]
    assert messages[-1]["text"] == "你们这帮**，电话138****8000"
    items = (await desk.call("GET", f"/conversations/{cid}/timeline", agent)).json["items"]
    assert "你们这帮**，电话138****8000" in [item["text"] for item in items]
    inbox = (await desk.call("GET", "/inbox", agent)).json
    assert inbox["mine"][0]["preview"]["text"].startswith("你们这帮**")
    stored = await desk.handoff.messages(cid)
    assert "傻逼" in stored[-1].text  # kept as received; only what agents see is masked
    assist = (await desk.call("GET", f"/conversations/{cid}/assist", agent)).json
    assert assist["message"]["text"] == "你们这帮**，电话138****8000"


async def test_the_bot_summary_shows_recent_abuse_masked(desk: Desk) -> None:
    agent = await desk.login("wangfang")
    cid = await queued(desk, "qa-6", recent_messages=["查快递", "你妈的怎么还没到"])
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    conversation = (await desk.call("GET", f"/conversations/{cid}", agent)).json["conversation"]
    assert conversation["summary"]["recent_messages"] == [
        "查快递",
        "***怎么还没到",
    ]  # 你妈 and 妈的 overlap


async def test_a_low_rated_conversation_is_queued_reviewed_and_shown_to_its_agent_only(
    desk: Desk,
) -> None:
    boss, agent, other = (
        await desk.login("boss"),
        await desk.login("wangfang"),
        await desk.login("chenjing"),
    )
    cid = await served(desk, agent, "qa-4", ["您好，我帮您查一下", "明天送到，感谢您的耐心"])
    await close(desk, agent, cid)
    await desk.handoff.rate(cid, 1, "不满意")
    queue = await desk.call("GET", "/qa/records?status=pending", boss)
    assert queue.status == 200 and queue.json["records"] == []  # listing inspects nothing
    desk.clock.advance(seconds=61)  # no analytics consumer here: the desk's part, after 60 s
    assert (await background_round(desk)).inspected == 1
    queue = await desk.call("GET", "/qa/records?status=pending", boss)
    [record] = [r for r in queue.json["records"] if r["conversation_id"] == cid]
    assert record["rules"] == ["low_rating"] and record["score"] == 80
    assert record["agent_name"] == "王芳" and "excerpt" not in record
    assert record["with_agent"] is True and record["channel_label"] == "接口"
    assert queue.json["rules"]["low_rating"] == "客户低评分"
    only = await desk.call("GET", "/qa/records?rule=no_greeting", boss)
    assert cid not in [r["conversation_id"] for r in only.json["records"]]

    detail = await desk.call("GET", f"/qa/records/{record['id']}", boss)
    assert [item["who"] for item in detail.json["record"]["excerpt"]] == ["user", "agent", "agent"]

    reviewed = await desk.call(
        "POST", f"/qa/records/{record['id']}/review", boss,
        body={"decision": "confirm", "comment": "送达时间要说清楚"},
    )  # fmt: skip
    assert reviewed.status == 200 and reviewed.json["record"]["status"] == "confirmed"
    mine = (await desk.call("GET", "/qa/mine", agent)).json["records"]
    assert [(r["id"], r["status"], r["review_comment"]) for r in mine] == [
        (record["id"], "confirmed", "送达时间要说清楚")
    ]
    assert (await desk.call("GET", f"/qa/records/{record['id']}", agent)).status == 200
    assert (await desk.call("GET", "/qa/mine", other)).json["records"] == []
    assert (await desk.call("GET", f"/qa/records/{record['id']}", other)).status == 403


async def test_roles_and_bad_input(desk: Desk) -> None:
    boss, agent = await desk.login("boss"), await desk.login("wangfang")
    for method, path, body in [
        ("GET", "/qa/records", None),
        ("GET", "/qa/words", None),
        ("POST", "/qa/words", {"word": "某词", "category": "辱骂"}),
        ("DELETE", "/qa/words/1", None),
        ("GET", "/qa/settings", None),
        ("PUT", "/qa/settings", {"low_rating": 3}),
        ("POST", "/qa/records/1/review", {"decision": "confirm"}),
    ]:
        assert (await desk.call(method, path, agent, body=body)).status == 403, path
        assert (await desk.call(method, path, None, body=body)).status == 401, path
    assert (await desk.call("GET", "/qa/mine", None)).status == 401
    assert (await desk.call("GET", "/qa/records?status=nope", boss)).status == 400
    assert (await desk.call("GET", "/qa/records?rule=nope", boss)).status == 400
    assert (await desk.call("GET", "/qa/records/99999", boss)).status == 404
    assert (await desk.call("GET", "/qa/records/99999999999", boss)).status == 404
    saved = await desk.call("PUT", "/qa/settings", boss, body={"first_reply_seconds": 30})
    assert saved.status == 200 and saved.json["settings"]["first_reply_seconds"] == 30
    assert (await desk.call("GET", "/qa/settings", boss)).json["settings"][
        "first_reply_seconds"
    ] == 30
    bad = await desk.call("PUT", "/qa/settings", boss, body={"first_reply_seconds": -1})
    assert bad.status == 400 and bad.json["error"] == "invalid_settings"
    review = await desk.call("POST", "/qa/records/1/review", boss, body={"decision": "maybe"})
    assert review.status == 400
    words = (await desk.call("GET", "/qa/words", boss)).json
    assert {c["name"] for c in words["categories"]} >= {"辱骂", "政治", "隐私", "违规承诺"}


async def test_transfers_are_counted_for_the_repeated_transfer_rule(desk: Desk) -> None:
    boss, agent = await desk.login("boss"), await desk.login("wangfang")
    cid = await served(desk, agent, "qa-5", ["您好"])
    for group in ("general", "orders"):
        answer = await desk.call(
            "POST", f"/conversations/{cid}/transfer", boss, body={"skill_group": group}
        )
        assert answer.status == 200
    await desk.call("POST", f"/conversations/{cid}/accept", agent)
    await close(desk, agent, cid)
    desk.clock.advance(seconds=61)
    await background_round(desk)
    records = (await desk.call("GET", "/qa/records?rule=repeated_transfer", boss)).json["records"]
    assert [r["conversation_id"] for r in records] == [cid]


async def test_a_bot_only_conversation_is_in_the_queue_for_supervisors_only(desk: Desk) -> None:
    chat = Script("wx-1", start=T0, channel="wechat").session().user("在吗", "greet")
    chat.fallback("啊").fallback("听不懂吗").fallback("你们就是一群废物")
    analytics = await analytics_of(desk)
    await analytics.run(lambda session: apply_events(session, chat.events))
    desk.clock.now = T0 + timedelta(hours=1)  # silent for an hour: it has ended
    assert (await background_round(desk)).inspected == 1
    boss, agent = await desk.login("boss"), await desk.login("wangfang")
    [record] = (await desk.call("GET", "/qa/records", boss)).json["records"]
    assert record["conversation_id"] is None and record["with_agent"] is False
    assert record["channel"] == "wechat" and record["channel_label"] == "公众号"
    assert record["rules"] == ["customer_abuse", "repeated_fallback"]
    detail = (await desk.call("GET", f"/qa/records/{record['id']}", boss)).json["record"]
    assert detail["excerpt"][-2]["text"] == "你们就是一群**"  # masked; the bot answers last
    assert {line["who"] for line in detail["excerpt"]} == {"user", "bot"}
    assert (await desk.call("GET", "/qa/mine", agent)).json["records"] == []
    assert (await desk.call("GET", f"/qa/records/{record['id']}", agent)).status == 403
    assert (await background_round(desk)).inspected == 0  # once
