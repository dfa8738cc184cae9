"""Delivery of one-time codes (the reference backend has no SMS gateway).

A code is "sent" by logging: only in development without an API key
(``ZHIKE_ENV=development``, see :func:`zhike.servers.backend.security.codes_logged_in_clear`)
does the log line carry the code, so a developer can bind a channel user by hand;
otherwise only the masked phone is logged.
With ``ZHIKE_BACKEND_FAULTS=1`` (tests only) every delivered message is also kept in an
in-memory :class:`SentCodes` that ``GET /__sent_codes`` shows (``?phone=`` filters) and
``DELETE /__sent_codes`` empties, so tests can read codes from a keyed backend too.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.common.privacy import mask_phone
from zhike.servers.backend.errors import json_response
from zhike.servers.backend.serializers import iso
from zhike.servers.backend.services.identity import IssuedCode

logger = logging.getLogger(__name__)

SENT_CODES_KEPT = 100


@dataclass
class SentCodes:
    """The last :data:`SENT_CODES_KEPT` delivered codes, oldest first (tests only)."""

    messages: deque[dict[str, Any]]

    @classmethod
    def empty(cls) -> SentCodes:
        """No code sent yet."""
        return cls(deque(maxlen=SENT_CODES_KEPT))


def deliver_code(
    issued: IssuedCode,
    channel: str,
    channel_user_id: str,
    dev_mode: bool,
    sent_codes: SentCodes | None = None,
) -> None:
    """Delivers ``issued`` to its phone: a log line, plus the record of sent codes if kept.

    Codes for a phone of no customer go nowhere (only a log line without the code).

    Args:
        issued: the code and where it goes.
        channel: the normalised channel of the requesting user.
        channel_user_id: the normalised channel user.
        dev_mode: log the code in clear (development without an API key only).
        sent_codes: the test-only record of sent codes, when mounted.
    """
    masked = mask_phone(issued.phone)
    if issued.customer_id is None:
        logger.info("One-time code requested for %s, which belongs to no customer", masked)
        return
    if dev_mode:
        logger.info(
            "One-time code for %s (%s:%s): %s (dev mode, valid until %s)",
            masked,
            channel,
            channel_user_id,
            issued.code,
            iso(issued.expires_at),
        )
    else:
        logger.info("One-time code sent to %s", masked)
    if sent_codes is not None:
        sent_codes.messages.append(
            {
                "phone": issued.phone,
                "code": issued.code,
                "channel": channel,
                "channel_user_id": channel_user_id,
                "expires_at": iso(issued.expires_at),
            }
        )


def sent_codes_blueprint() -> Blueprint:
    """``GET /__sent_codes[?phone=...]`` and ``DELETE /__sent_codes`` (mounted with faults only)."""
    bp = Blueprint("sent_codes", url_prefix="/__sent_codes")

    @bp.get("/")
    async def show(request: Request) -> HTTPResponse:
        phone = request.args.get("phone")
        messages = [
            message
            for message in request.app.ctx.sent_codes.messages
            if phone is None or message["phone"] == phone
        ]
        return json_response({"messages": messages})

    @bp.delete("/")
    async def clear(request: Request) -> HTTPResponse:
        request.app.ctx.sent_codes.messages.clear()
        return json_response({"messages": []})

    return bp
