"""Quality inspection in the desk's live paths: refused replies, masked abuse, inspections.

The desk's routes call these small hooks (:mod:`zhike.servers.desk.api`,
:mod:`zhike.servers.desk.api_views`):

- :func:`check_reply`: an agent's reply with a word of a blocking category is refused
  (422 ``sensitive_word``, a Chinese message naming the category and the word) before
  anything is stored or sent;
- :func:`customer_masker`: hides abusive words (``***``) in customers' messages as agents
  see them (transcript, bot summary, timeline, inbox preview, assist); the stored message
  stays as received;
- :func:`note_transfer`: counts a transfer (the background job,
  :mod:`zhike.servers.desk.background`, inspects the conversation after its close).

The service lives on the app (one per app, on the desk's database engine); everything it
knows is in the database, so every replica enforces the same word list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sanic import Sanic
from sqlalchemy.exc import SQLAlchemyError

from zhike.lib.handoff.errors import HandoffError
from zhike.lib.qa.service import QaService
from zhike.lib.qa.store import QaDatabase, QaError
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError

logger = logging.getLogger(__name__)
STORAGE_FAILURES = (QaError, HandoffError, SQLAlchemyError, OSError)


def qa_service(app: Sanic) -> QaService:
    """The app's quality-inspection service (on the desk database's engine)."""
    desk: DeskContext = app.ctx.desk
    found: tuple[DeskContext, QaService] | None = getattr(app.ctx, "desk_qa", None)
    if found is None or found[0] is not desk:
        service = QaService(QaDatabase.sharing(desk.auth.db), desk.handoff, desk.handoff.clock)
        found = (desk, service)
        app.ctx.desk_qa = found
    return found[1]


@contextmanager
def desk_errors() -> Iterator[None]:
    """Answers a :class:`QaError` as the desk's JSON error (same status and code)."""
    try:
        yield
    except QaError as error:
        raise DeskError(error.status, error.code, error.message) from None


async def check_reply(app: Sanic, text: str) -> None:
    """Refuses (422 ``sensitive_word``) an agent's reply holding a blocked word."""
    hit = await qa_service(app).blocked_word(text)
    if hit is not None:
        typed = text[hit.start : hit.end]
        raise DeskError(
            422,
            "sensitive_word",
            f"回复中含有{hit.category}类敏感词「{typed}」，未发送给客户，请修改后再发送",
        )


async def customer_masker(app: Sanic) -> Callable[[str], str]:
    """Hides abusive words in a customer's message text (``***``)."""
    return await qa_service(app).masker()


async def mask_customer_items(
    app: Sanic, items: list[dict[str, Any]], who: str, text: str = "text"
) -> None:
    """Masks ``item[text]`` of the items whose ``item[who]`` is ``user``, in place."""
    mask = await customer_masker(app)
    for item in items:
        if isinstance(item, dict) and item.get(who) == "user" and isinstance(item.get(text), str):
            item[text] = mask(item[text])


async def mask_summary(app: Sanic, conversation: dict[str, Any]) -> None:
    """Masks the customer's recent messages in a conversation document's bot summary."""
    summary = conversation.get("summary")
    recent = summary.get("recent_messages") if isinstance(summary, dict) else None
    if isinstance(summary, dict) and isinstance(recent, list):
        mask = await customer_masker(app)
        summary["recent_messages"] = [mask(t) if isinstance(t, str) else t for t in recent]


async def note_transfer(app: Sanic, conversation_id: int) -> None:
    """Counts a transfer; a failure is logged, never fails the transfer itself."""
    try:
        await qa_service(app).record_transfer(conversation_id)
    except STORAGE_FAILURES as error:
        logger.warning("transfer of %s not counted for QA: %s", conversation_id, error)
