"""What the WeChat channels do with a verified message, before any bot turn.

Text (or a recognised voice message) and menu clicks go to the bot; a text longer than
:data:`~zhike.channels.limits.MAX_USER_TEXT` characters is cut to that length and the
answer ends with :data:`~zhike.channels.limits.TRUNCATED_NOTICE`. A subscription sends
``/greet`` and adds a menu hint; other message types get a polite "text only" answer,
other events nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from zhike.channels.limits import TRUNCATED_NOTICE, cap_user_text

MAX_CLOCK_SKEW = 300  # seconds a callback's timestamp may differ from our clock
GREET_PAYLOAD = "/greet"
UNSUPPORTED_TEXT = (
    "抱歉，我暂时只能看懂文字消息，请用文字描述您的问题，或回复“转人工”联系人工客服。"
)
EMPTY_TEXT = "您好，请问有什么可以帮您？请直接输入您的问题。"
FAILURE_TEXT = "抱歉，系统暂时无法处理您的消息，请稍后再试，或回复“转人工”联系人工客服。"
UNKNOWN_MENU_TEXT = "抱歉，这个菜单暂时不可用，请直接输入您的问题。"
DEFAULT_WELCOME_HINT = (
    "您可以直接输入问题，例如“查一下订单HP20240001”“退款一般多久到账？”，回复“转人工”联系人工客服。"
)


def timestamp_fresh(timestamp: str | None, now: float, skew: float = MAX_CLOCK_SKEW) -> bool:
    """Whether a callback's ``timestamp`` (unix seconds) is within ``skew`` of ``now``."""
    try:
        return abs(now - int(timestamp or "")) <= skew
    except ValueError:
        return False


def message_key(fields: Mapping[str, str]) -> str:
    """What identifies a message across WeChat's retries: MsgId, else sender + CreateTime.

    WeChat's documentation recommends ``MsgId`` for messages and ``FromUserName`` +
    ``CreateTime`` for events (which have no id); the event name is added so two events
    of one second (``subscribe`` and its ``SCAN``) stay apart.
    """
    msg_id = fields.get("MsgId", "").strip()
    if msg_id:
        return msg_id
    user = fields.get("FromUserName", "").strip()
    return f"{user}|{fields.get('CreateTime', '')}|{fields.get('Event', '')}"


@dataclass(frozen=True)
class Decision:
    """What to do with a message: ``bot`` (send ``text``), ``reply`` (``text``) or ``ignore``."""

    kind: str
    text: str = ""
    suffix: str = ""


def decide(fields: Mapping[str, str], menu: Mapping[str, str], welcome_hint: str) -> Decision:
    """What to do with a message (see the module docstring).

    Args:
        fields: the message's XML fields.
        menu: menu click keys mapped to what the bot gets.
        welcome_hint: text added to the greeting of a new subscriber.
    """
    msg_type = fields.get("MsgType", "").strip().lower()
    if msg_type == "text" or (msg_type == "voice" and fields.get("Recognition", "").strip()):
        raw = (fields.get("Content") if msg_type == "text" else fields["Recognition"]) or ""
        capped = cap_user_text(raw)
        if not capped.text:
            return Decision("reply", EMPTY_TEXT)
        suffix = TRUNCATED_NOTICE if capped.truncated else ""
        return Decision("bot", capped.text, suffix=suffix)
    if msg_type != "event":
        return Decision("reply", UNSUPPORTED_TEXT)
    event = fields.get("Event", "").strip().lower()
    if event == "subscribe":
        return Decision("bot", GREET_PAYLOAD, suffix=welcome_hint)
    if event == "click":
        payload = menu.get(fields.get("EventKey", "").strip())
        return Decision("bot", payload) if payload else Decision("reply", UNKNOWN_MENU_TEXT)
    return Decision("ignore")  # unsubscribe, VIEW, LOCATION, enter_agent …
