"""Proofs of ownership in slots cannot be forged, replayed in another chat or kept forever."""

from __future__ import annotations

import logging
import time

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.common import ORDER_PROOF, TICKET_PROOF, issue_proof, proven, with_proof
from actions.orders import ActionOrderStatus, ValidateOrderIdForm
from actions.submit import remember_ticket
from actions.tickets import ActionTicketStatus
from zhike.common.deployment import ConfigurationError
from zhike.lib.backend_client import Ticket
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn
from .proofs import order_proofs, ticket_proofs

DOMAIN: dict = {"forms": {"order_id_form": {"required_slots": ["order_id"]}}}
ANON = "web-session-anon"  # the anonymous fixture's sender


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_a_forged_verified_order_does_not_reveal_the_order(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    forged = anonymous(order_id="HP20240002", verified_orders=["HP20240002"])
    await ActionOrderStatus().run(dispatcher, forged, DOMAIN)
    assert responses(dispatcher) == ["utter_order_not_found"]


async def test_a_genuine_proof_reveals_the_order(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    proved = anonymous(order_id="HP20240002", verified_orders=order_proofs(ANON, "HP20240002"))
    await ActionOrderStatus().run(dispatcher, proved, DOMAIN)
    assert responses(dispatcher)[0] == "utter_order_status"


@pytest.mark.parametrize(
    "proof",
    [
        pytest.param(lambda: order_proofs("web-session-other", "HP20240002"), id="other-sender"),
        pytest.param(
            lambda: [issue_proof(ORDER_PROOF, "HP20240002", ANON, time.time() - 25 * 3600)],
            id="expired",
        ),
        pytest.param(
            lambda: [issue_proof(TICKET_PROOF, "HP20240002", ANON)], id="ticket-proof-for-order"
        ),
        pytest.param(lambda: [_later(order_proofs(ANON, "HP20240002")[0])], id="expiry-pushed"),
        pytest.param(lambda: [_swap(order_proofs(ANON, "HP20240001")[0])], id="id-swapped"),
    ],
)
async def test_a_proof_of_another_chat_kind_order_or_time_is_ignored(
    proof, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = anonymous(order_id="HP20240002", verified_orders=proof())
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_order_not_found"]
    # and the form still asks for the phone digits
    required = await ValidateOrderIdForm().required_slots(["order_id"], dispatcher, tracker, DOMAIN)
    assert required == ["order_id", "phone_last4"]


def _later(proof: str) -> str:
    value, expires, mac = proof.split(".")
    return f"{value}.{int(expires) + 86400}.{mac}"


def _swap(proof: str) -> str:
    _, expires, mac = proof.split(".")
    return f"HP20240002.{expires}.{mac}"


async def test_a_proof_signed_with_another_secret_is_ignored(
    anonymous: Turn, dispatcher: CollectingDispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", "another-deployment-secret-0123456789abcdef")
    proofs = order_proofs(ANON, "HP20240002")
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", "unit-test-identity-secret-0123456789abcdef")
    await ActionOrderStatus().run(
        dispatcher, anonymous(order_id="HP20240002", verified_orders=proofs), DOMAIN
    )
    assert responses(dispatcher) == ["utter_order_not_found"]


async def test_right_digits_add_a_proof_and_drop_forged_entries(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = anonymous(
        "8001",
        order_id="HP20240001",
        requested_slot="phone_last4",
        verified_orders=["HP20240002", "junk", 7],
    )
    result = await ValidateOrderIdForm().validate_phone_last4("8001", dispatcher, tracker, DOMAIN)
    assert len(result["verified_orders"]) == 1
    assert proven(ORDER_PROOF, result["verified_orders"], ANON) == ["HP20240001"]
    assert proven(ORDER_PROOF, result["verified_orders"], "web-session-other") == []


async def test_a_forged_ticket_of_this_chat_is_not_shown(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionTicketStatus().run(
        dispatcher, anonymous(ticket_id="TK20240001", my_tickets=["TK20240001"]), DOMAIN
    )
    assert responses(dispatcher) == ["utter_ticket_not_found"]
    dispatcher.messages.clear()
    # without a number, forged tickets are not listed either
    await ActionTicketStatus().run(
        dispatcher, anonymous("工单进度", "query_ticket", my_tickets=["TK20240001"]), DOMAIN
    )
    assert responses(dispatcher) == ["utter_ask_ticket_id"]
    dispatcher.messages.clear()
    genuine = anonymous("工单进度", "query_ticket", my_tickets=ticket_proofs(ANON, "TK20240001"))
    await ActionTicketStatus().run(dispatcher, genuine, DOMAIN)
    assert [m["ticket_id"] for m in dispatcher.messages] == ["TK20240001"]


async def test_remember_ticket_keeps_the_newest_twenty_valid_proofs(
    anonymous: Turn, backend: InMemoryBackendClient
) -> None:
    ids = [f"TK2024{n:04d}" for n in range(100, 125)]
    slot = ["TK20240001", *ticket_proofs(ANON, *ids)]
    ticket = Ticket(ticket_id="TK20249999", category="other", summary="x", status="open")
    [event] = remember_ticket(anonymous(my_tickets=slot), ticket)
    assert proven(TICKET_PROOF, event["value"], ANON) == [*ids[-19:], "TK20249999"]
    # a ticket already proved is not added twice
    assert remember_ticket(anonymous(my_tickets=event["value"]), ticket) == []


def test_production_without_the_secret_refuses_every_proof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proofs = order_proofs(ANON, "HP20240001")
    monkeypatch.delenv("ZHIKE_IDENTITY_SECRET")
    monkeypatch.setenv("ZHIKE_ENV", "production")
    assert proven(ORDER_PROOF, proofs, ANON) == []
    with pytest.raises(ConfigurationError, match="ZHIKE_IDENTITY_SECRET"):
        issue_proof(ORDER_PROOF, "HP20240001", ANON)
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", "short")
    assert proven(ORDER_PROOF, proofs, ANON) == []


def test_development_without_the_secret_uses_a_development_key_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("ZHIKE_IDENTITY_SECRET")
    monkeypatch.setenv("ZHIKE_ENV", "development")
    monkeypatch.setattr(common, "_warned_development_key", False)
    with caplog.at_level(logging.WARNING, logger="actions.common"):
        proofs = with_proof(ORDER_PROOF, None, "HP20240001", ANON)
        assert proven(ORDER_PROOF, proofs, ANON) == ["HP20240001"]
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "development" in caplog.records[0].message
    # a deployment with a real secret does not accept development proofs
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", "unit-test-identity-secret-0123456789abcdef")
    assert proven(ORDER_PROOF, proofs, ANON) == []
