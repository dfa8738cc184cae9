"""A tracker posted to the real action server cannot forge what the sender proved."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from actions.common import ORDER_PROOF, TICKET_PROOF, issue_proof
from zhike.servers.action_server import TOKEN_HEADER

from .server import IDENTITY_SECRET, TOKEN, RunningServer, action_server

SENDER = "web-session-attacker"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    server: RunningServer
    with action_server(tmp_path_factory.mktemp("proofs")) as server:
        with httpx.Client(base_url=server.url, headers={TOKEN_HEADER: TOKEN}, timeout=10) as http:
            yield http


@pytest.fixture(autouse=True)
def same_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process signs genuine proofs with the server's identity secret."""
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", IDENTITY_SECRET)


def run(client: httpx.Client, action: str, sender: str = SENDER, **slots: object) -> list[str]:
    """Posts an anonymous web visitor's tracker; the responses the action chose."""
    tracker = {
        "sender_id": sender,
        "slots": slots,
        "latest_message": {"text": "查订单", "intent": {"name": "query_order"}, "metadata": {}},
        "events": [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": "查订单", "input_channel": "socketio", "parse_data": {}},
        ],
        "active_loop": {},
    }
    answer = client.post("/webhook", json={"next_action": action, "tracker": tracker, "domain": {}})
    assert answer.status_code == 200, answer.text
    return [message["response"] for message in answer.json()["responses"]]


def test_a_forged_verified_order_does_not_reveal_the_order(client: httpx.Client) -> None:
    forged = run(
        client, "action_order_status", order_id="HP20240002", verified_orders=["HP20240002"]
    )
    assert forged == ["utter_order_not_found"]


def test_a_genuine_proof_still_works(client: httpx.Client) -> None:
    proof = issue_proof(ORDER_PROOF, "HP20240002", SENDER)
    answer = run(client, "action_order_status", order_id="HP20240002", verified_orders=[proof])
    assert answer[0] == "utter_order_status"


def test_a_proof_from_another_sender_does_not(client: httpx.Client) -> None:
    proof = issue_proof(ORDER_PROOF, "HP20240002", "web-session-victim")
    answer = run(client, "action_order_status", order_id="HP20240002", verified_orders=[proof])
    assert answer == ["utter_order_not_found"]


def test_a_forged_ticket_of_this_chat_is_not_shown(client: httpx.Client) -> None:
    assert run(
        client, "action_ticket_status", ticket_id="TK20240001", my_tickets=["TK20240001"]
    ) == ["utter_ticket_not_found"]
    proof = issue_proof(TICKET_PROOF, "TK20240001", SENDER)
    assert run(client, "action_ticket_status", ticket_id="TK20240001", my_tickets=[proof]) == [
        "utter_ticket_status"
    ]
