"""Golden test of the analytics pipeline on the real stack, REST and 公众号 traffic.

Seven conversations are played through the real Rasa server, action server and desk:

===========  ========  ===================================================  ============
sender       channel   what happens                                         outcome
===========  ========  ===================================================  ============
r-kb         REST      a knowledge-base answer, 再见, rating 5               bot_resolved
r-order      REST      order status with the phone-digit check              bot_resolved
r-human      REST      转人工; an agent accepts, replies twice, closes;     handed_off
                       the customer rates 4
r-lost       REST      a message the bot does not understand, then the      abandoned
                       customer leaves (a new session starts)
r-quit       REST      转人工, queued; 算了不等了: the customer leaves the     handed_off,
                       queue before an agent accepts (closed as             queue-abandoned
                       用户已离开, no rating asked)
w-kb-none    公众号    a question the knowledge base cannot answer,         handed_off
                       转人工, accepted, one reply, closed, no rating
w-hi         公众号    你好                                                   bot_resolved
===========  ========  ===================================================  ============

The analytics consumer is stopped after the first two conversations and started again
after the last one: it catches up from its cursor. Then the summary of the period, from
the desk's HTTP API (as a supervisor) and from ``python -m zhike.analytics summary``,
must give exactly these numbers; the handoff times must equal the desk's own timestamps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from zhike.tools.stack import PROJECT_ROOT, Stack

from .conftest import API, Conversation
from .test_fallback import _unsure_probe
from .wechat_users import FakeApiProcess, WeChatFollower

pytestmark = pytest.mark.e2e

PASSWORD = "e2e analytics passphrase 主管"
GROUPS = "orders,courses,general,presales"


def create_account(stack: Stack, role: str) -> tuple[str, str]:
    """A desk account (and handoff agent) made by the CLI: ``(username, agent_id)``."""
    suffix = uuid.uuid4().hex[:8]
    username, agent_id = f"e2e-kpi-{role}-{suffix}", f"kpi-{role}-{suffix}"
    subprocess.run(
        [sys.executable, "-m", "zhike.servers.desk", "create-agent",
         "--db-url", stack.config.handoff_db_url, "--username", username,
         "--agent-id", agent_id, "--name", f"分析{suffix[:4]}", "--groups", GROUPS,
         "--role", role],
        input=PASSWORD + "\n", text=True, capture_output=True, check=True, cwd=PROJECT_ROOT,
        timeout=60,
    )  # fmt: skip
    return username, agent_id


class DeskClient:
    """The desk's JSON API with one logged-in account (cookie and CSRF token)."""

    def __init__(self, stack: Stack, username: str) -> None:
        self.http = httpx.Client(base_url=f"{stack.config.desk_url}/api/desk/v1", timeout=30)
        login = self.http.post("/login", json={"username": username, "password": PASSWORD})
        assert login.status_code == 200, login.text
        self.csrf = login.json()["csrf_token"]

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(path, json=body, headers={"X-CSRF-Token": self.csrf})
        assert response.status_code in (200, 201), f"{path}: {response.text}"
        result: dict[str, Any] = response.json()
        return result

    def queued(self, sender_id: str) -> int:
        """The id of the sender's conversation in the queue (waiting for it to appear)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            groups = self.get("/queue").json()["groups"]
            for entries in groups.values():
                for entry in entries:
                    if entry["sender_id"] == sender_id:
                        return int(entry["conversation_id"])
            time.sleep(0.3)
        raise AssertionError(f"{sender_id} never queued")


def seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(
        start.replace("Z", "+00:00"))).total_seconds()  # fmt: skip


def tracker_messages(stack: Stack, sender_id: str) -> int:
    """Customer and bot messages of the sender's sessions with a customer message (Rasa's)."""
    events = httpx.get(
        f"{stack.config.rasa_url}/conversations/{sender_id}/tracker", params=API, timeout=30
    ).json()["events"]
    sessions: list[list[dict[str, Any]]] = [[]]
    for event in events:
        if event["event"] == "session_started":
            sessions.append([])
        sessions[-1].append(event)
    total = 0
    for session in sessions:
        users = [
            e for e in session
            if e["event"] == "user"
            and (e.get("parse_data") or {}).get("intent", {}).get("name") != "session_start"
        ]  # fmt: skip
        bots = [
            e for e in session
            if e["event"] == "bot" and not (e.get("metadata") or {}).get("agent_id")
        ]  # fmt: skip
        total += len(users) + len(bots) if users else 0
    return total


def wait_for_event(stack: Stack, sender_id: str, wanted: dict[str, Any]) -> None:
    """Waits until the sender's tracker has an event with the ``wanted`` fields (the desk's
    notifications reach Rasa in the background when the first attempt was slow)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        events = httpx.get(
            f"{stack.config.rasa_url}/conversations/{sender_id}/tracker", params=API, timeout=30
        ).json()["events"]
        flat = [{**e, **(e.get("metadata") or {})} for e in events]
        if any(all(e.get(k) == v for k, v in wanted.items()) for e in flat):
            return
        time.sleep(0.3)
    raise AssertionError(f"{sender_id}: no event {wanted}")


def analytics_service(stack: Stack) -> Any:
    return next(s for s in stack.services if s.name == "analytics")


def test_the_kpis_of_scripted_traffic_are_exact(fresh: Stack, wechat_api: FakeApiProcess) -> None:
    rasa = fresh.config.rasa_url
    agent_name, agent_id = create_account(fresh, "agent")
    boss_name, _ = create_account(fresh, "supervisor")
    agent, boss = DeskClient(fresh, agent_name), DeskClient(fresh, boss_name)
    agent.post("/me/status", {"online": True})
    probe = _unsure_probe(fresh)
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    tag = uuid.uuid4().hex[:8]

    r_kb = Conversation(rasa, f"r-kb-{tag}")
    assert "原路退回" in r_kb.say("退款一般几天能到账呀")
    assert "打个分" in r_kb.say("再见")
    assert "感谢您的评价" in r_kb.say('/rate_service{"csat_score": "5"}')
    r_order = Conversation(rasa, f"r-order-{tag}")
    assert "后 4 位" in r_order.say("查一下订单HP20240001")
    assert "SF1234567890" in r_order.say("8001")

    consumer = analytics_service(fresh)
    consumer.stop()  # the rest of the traffic arrives while the consumer is down
    try:
        r_human = Conversation(rasa, f"r-human-{tag}")
        assert "转接人工客服" in r_human.say("转人工")
        r_human_id = agent.queued(r_human.sender)
        agent.post(f"/conversations/{r_human_id}/accept")
        wait_for_event(
            fresh, r_human.sender, {"event": "slot", "name": "handoff_state", "value": "agent"}
        )
        agent.post(
            f"/conversations/{r_human_id}/messages",
            {"text": "您好，我是客服，请问有什么可以帮您？"},
        )
        assert r_human.send("快递三天没动了") == []  # the bot is silent while the agent serves
        agent.post(f"/conversations/{r_human_id}/messages", {"text": "已为您催促快递公司。"})
        closed = agent.post(f"/conversations/{r_human_id}/close", {"disposition": "resolved"})
        wait_for_event(fresh, r_human.sender, {"event": "bot", "utter_action": "utter_ask_rating"})
        assert "感谢您的评价" in r_human.say('/rate_service{"csat_score": "4"}')
        transcript = agent.get(f"/conversations/{r_human_id}").json()["messages"]

        r_lost = Conversation(rasa, f"r-lost-{tag}")
        r_lost.send(probe)  # the two-stage fallback's question; the customer leaves
        r_lost.send("/session_start")  # back later: a new session

        r_quit = Conversation(rasa, f"r-quit-{tag}")
        assert "转接人工客服" in r_quit.say("转人工")
        r_quit_id = agent.queued(r_quit.sender)
        assert "已为您取消排队" in r_quit.say("算了，不等了")  # leaves the queue itself
        quit_info = agent.get(f"/conversations/{r_quit_id}").json()["conversation"]
        assert quit_info["disposition"] == "user_left"

        openid = f"oKPI{uuid.uuid4().hex[:20]}"
        w_kb = WeChatFollower(rasa, wechat_api, openid)
        assert "暂时还回答不了" in w_kb.say("你们支持用数字人民币付尾款吗")
        assert "转接人工客服" in w_kb.say("转人工")
        w_kb_id = agent.queued(f"wechat:{openid}")
        agent.post(f"/conversations/{w_kb_id}/accept")
        agent.post(f"/conversations/{w_kb_id}/messages", {"text": "数字人民币暂不支持，抱歉。"})
        w_closed = agent.post(f"/conversations/{w_kb_id}/close", {"disposition": "resolved"})
        wait_for_event(
            fresh, f"wechat:{openid}", {"event": "bot", "utter_action": "utter_ask_rating"}
        )
        w_hi = WeChatFollower(rasa, wechat_api, f"oKPI{uuid.uuid4().hex[:20]}")
        assert w_hi.say("你好")
    finally:  # also when the traffic failed: later tests may need it
        consumer.start(fresh.config.state_dir / "logs", PROJECT_ROOT)
    until = datetime.now(timezone.utc) + timedelta(seconds=1)
    period = {"since": since.isoformat(), "until": until.isoformat()}

    episodes = [closed["conversation"], w_closed["conversation"]]

    def mean_since_request(field: str) -> float:
        return sum(seconds(e["handoff_requested_at"], e[field]) for e in episodes) / 2

    agent_seqs = [m["seq"] for m in transcript if m["direction"] == "agent"]
    waiting = next(m for m in transcript if m["direction"] == "user" and m["seq"] > agent_seqs[0])
    answer = next(m for m in transcript if m["direction"] == "agent" and m["seq"] > waiting["seq"])
    expected_times = {
        "mtta_s": mean_since_request("agent_assigned_at"),
        "avg_first_response_s": mean_since_request("first_agent_reply_at"),
        "avg_resolution_s": mean_since_request("closed_at"),
        "avg_agent_reply_s": seconds(waiting["created_at"], answer["created_at"]),
    }
    senders = [r_kb.sender, r_order.sender, r_human.sender, r_lost.sender, r_quit.sender]
    senders += [f"wechat:{openid}", f"wechat:{w_hi.user_id}"]
    messages = sum(tracker_messages(fresh, s) for s in senders) + 3  # 3 agent replies
    expected = {
        "conversations": 7,
        "messages": messages,
        "bot_resolved": 3,
        "handed_off": 3,
        "abandoned": 1,
        "queue_abandoned": 1,  # r-quit; r-human and w-kb-none were accepted
        "containment_rate": round(3 / 7, 4),
        "handoff_rate": round(3 / 7, 4),
        "abandonment_rate": round(1 / 7, 4),
        "queue_abandonment_rate": round(1 / 3, 4),  # three handoffs entered the queue
        "fallback_rate": round(1 / 14, 4),  # 14 customer messages, one not understood
        "knowledge_coverage": 0.5,  # two questions for the knowledge base, one answered
        "csat_score": 1.0,  # 5 and 4
        "csat_responses": 2,
        "csat_response_rate": round(2 / 3, 4),  # asked after r-kb, r-human and w-kb-none
    }

    deadline = time.monotonic() + 90
    while True:  # the consumer catches up, the handoffs sync every second
        summary = boss.get("/analytics/summary", **period).json()
        found = {name: summary.get(name) for name in expected}
        if found == expected and summary["mtta_s"] is not None or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert found == expected
    for name, value in expected_times.items():
        assert summary[name] == pytest.approx(value, abs=0.01), name
    assert summary["by_channel"]["rest"]["conversations"] == 5
    assert summary["by_channel"]["rest"]["handed_off"] == 2
    assert summary["by_channel"]["rest"]["queue_abandonment_rate"] == 0.5
    assert summary["by_channel"]["wechat"]["conversations"] == 2
    assert summary["by_channel"]["wechat"]["queue_abandonment_rate"] == 0.0
    assert summary["by_channel"]["wechat"]["knowledge_coverage"] == 0.0

    env = {**os.environ, "ZHIKE_ANALYTICS_DB_URL": consumer.env["ZHIKE_ANALYTICS_DB_URL"]}
    cli = subprocess.run(
        [sys.executable, "-m", "zhike.analytics", "summary", "--since", period["since"],
         "--until", period["until"], "--json"],
        capture_output=True, text=True, check=True, cwd=PROJECT_ROOT, env=env, timeout=60,
    )  # fmt: skip
    printed = json.loads(cli.stdout)
    assert {name: printed.get(name) for name in expected} == expected
    assert printed["by_channel"].keys() == {"rest", "wechat"}

    unanswered = boss.get("/analytics/top", kind="unanswered", **period).json()["rows"]
    assert {
        "key": "你们支持用数字人民币付尾款吗",
        "label": "你们支持用数字人民币付尾款吗",
        "count": 1,
    } in unanswered
    agents = boss.get("/analytics/breakdown", by="agent", **period).json()["rows"]
    assert [(row["key"], row["conversations"]) for row in agents] == [(agent_id, 2)]
    assert agent.get("/analytics/summary", **period).status_code == 403
