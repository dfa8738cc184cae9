"""Messages sent to an app customer outside a request reach the app backend's push callback.

This is how a notification or (later) a human agent's reply reaches the phone: Rasa's
``/conversations/<id>/trigger_intent?output_channel=latest`` runs the bot in the
conversation, and the app channel POSTs every bot message, HMAC-signed, to the callback.
"""

from __future__ import annotations

import httpx

from zhike.tools.stack import Stack

from .conftest import API, AppConversation
from .push_receiver import PushReceiver


def _trigger(stack: Stack, sender_id: str, intent: str) -> httpx.Response:
    return httpx.post(
        f"{stack.config.rasa_url}/conversations/{sender_id}/trigger_intent",
        params={"output_channel": "latest", **API},
        json={"name": intent},
        timeout=60,
    )


def test_a_message_outside_a_request_is_pushed_to_the_app(
    fresh: Stack, zhang_app: AppConversation, push_receiver: PushReceiver
) -> None:
    push_receiver.reset()
    assert zhang_app.say("你好")  # the conversation's latest channel is now the app

    assert _trigger(fresh, "app:C001", "greet").status_code == 200

    pushed = push_receiver.wait_for(1)
    assert len(pushed) == 1
    assert pushed[0]["customer_id"] == "C001"
    assert pushed[0]["sender_id"] == "app:C001"
    assert "小智" in pushed[0]["message"]["text"]  # the greeting, from the domain


def test_a_failing_push_callback_is_retried_until_it_accepts(
    fresh: Stack, li_app: AppConversation, push_receiver: PushReceiver
) -> None:
    push_receiver.reset()
    assert li_app.say("你好")
    push_receiver.fail_next = 2

    assert _trigger(fresh, "app:C002", "goodbye").status_code == 200

    pushed = push_receiver.wait_for(2, timeout=30)  # goodbye, then the rating question
    assert [p["customer_id"] for p in pushed] == ["C002", "C002"]
    assert "再见" in pushed[0]["message"]["text"]
    assert "打个分" in pushed[1]["message"]["text"]
    assert push_receiver.attempts == 4  # two 503s, then each message delivered once
