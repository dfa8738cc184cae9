"""Background tasks whose failures are logged, never lost.

``asyncio.create_task`` keeps only a weak reference to its task, and an exception nobody
retrieves surfaces (if at all) as "Task exception was never retrieved" when the task is
garbage collected -- long after, without context. :func:`spawn` keeps a reference until
the task is done and logs its failure at once, with its name; the message and traceback
go through :func:`zhike.common.privacy.mask_text`, since an exception's text can quote what a
customer wrote.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Coroutine
from typing import Any, TypeVar

from zhike.common.privacy import mask_text

logger = logging.getLogger(__name__)

T = TypeVar("T")

_RUNNING: set[asyncio.Task[Any]] = set()


def spawn(coro: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
    """Runs ``coro`` as a task of the running loop; a failure is logged (masked).

    Cancellation is not a failure. The task may still be awaited: its result or exception
    is there as usual.

    Args:
        coro: the work.
        name: what the task does, for the log (``wechat late reply``).
    """
    task = asyncio.get_running_loop().create_task(coro, name=name)
    _RUNNING.add(task)
    task.add_done_callback(_done)
    return task


def log_failure(task: asyncio.Future[Any]) -> None:
    """Logs the exception of a finished task or future (nothing when it succeeded)."""
    if task.cancelled():
        return
    exc = task.exception()
    if exc is None:
        return
    name = task.get_name() if isinstance(task, asyncio.Task) else "future"
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    logger.error("background task %r failed: %s", name, mask_text(trace.rstrip()))


def _done(task: asyncio.Task[Any]) -> None:
    _RUNNING.discard(task)
    log_failure(task)
