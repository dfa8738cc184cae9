"""Explicit load shedding: a process-wide bound on the customer messages handled at once.

Every customer channel (REST, the web chat, the app) handles a message inside
:meth:`Gate.slot`. At most ``max_inflight`` messages are handled at the same time; up to
``max_queued`` more wait for a slot, first come first served, for at most ``max_wait``
seconds. Past that the message is refused at once with :class:`Overloaded`, and the
channel says so: HTTP channels answer 503 with ``Retry-After`` and a JSON error
(:func:`overloaded_response`), the web chat shows :data:`BUSY_NOTICE`. A customer never
gets a silent empty reply, and a burst cannot pile up unbounded work (and memory) in the
Rasa process.

The bounds are read once per process, from the environment:

=========================  =======  ====================================================
variable                   default  meaning
=========================  =======  ====================================================
``ZHIKE_MAX_INFLIGHT``     32       messages handled at the same time
``ZHIKE_MAX_QUEUED``       200      messages waiting for a slot (0: none wait)
``ZHIKE_MAX_QUEUE_WAIT``   30       seconds a message waits at most, then it is refused
=========================  =======  ====================================================

The gate holds no event loop: each waiter is a future of the loop it runs in.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sanic import response
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MAX_INFLIGHT_ENV = "ZHIKE_MAX_INFLIGHT"
MAX_QUEUED_ENV = "ZHIKE_MAX_QUEUED"
MAX_WAIT_ENV = "ZHIKE_MAX_QUEUE_WAIT"
DEFAULT_MAX_INFLIGHT = 32
DEFAULT_MAX_QUEUED = 200
DEFAULT_MAX_WAIT = 30.0
RETRY_AFTER_SECONDS = 5

BUSY_NOTICE = (
    "非常抱歉，当前咨询的客户较多，我暂时没能处理您的这条消息。"
    "请您稍等片刻后再发送一次，谢谢您的耐心！"
)


class Overloaded(Exception):
    """The message was refused: every slot is taken and the wait queue is full (or too slow)."""


@dataclass(frozen=True)
class Limits:
    """The bounds of a :class:`Gate`.

    Attributes:
        max_inflight: messages handled at the same time (at least 1).
        max_queued: messages waiting for a slot (0: refuse at once when all are taken).
        max_wait: seconds a message waits for a slot at most.
    """

    max_inflight: int = DEFAULT_MAX_INFLIGHT
    max_queued: int = DEFAULT_MAX_QUEUED
    max_wait: float = DEFAULT_MAX_WAIT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """The limits in the environment (defaults for unset or invalid values, logged)."""
        source = env if env is not None else os.environ
        return cls(
            max_inflight=int(_number(source, MAX_INFLIGHT_ENV, DEFAULT_MAX_INFLIGHT, minimum=1)),
            max_queued=int(_number(source, MAX_QUEUED_ENV, DEFAULT_MAX_QUEUED, minimum=0)),
            max_wait=_number(source, MAX_WAIT_ENV, DEFAULT_MAX_WAIT, minimum=0, integer=False),
        )


def _number(
    env: Mapping[str, str], name: str, default: float, minimum: float, integer: bool = True
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(int(raw)) if integer else float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < minimum:
        logger.warning("%s=%r is not a number >= %s; using %s.", name, raw, minimum, default)
        return default
    return value


class Gate:
    """Admits at most ``max_inflight`` holders at once, with a bounded FIFO wait queue.

    Args:
        limits: the bounds.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._inflight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.refused = 0

    @property
    def inflight(self) -> int:
        """Messages being handled now."""
        return self._inflight

    @property
    def queued(self) -> int:
        """Messages waiting for a slot now."""
        return sum(1 for waiter in self._waiters if not waiter.done())

    async def acquire(self) -> None:
        """Takes a slot, waiting in line when all are taken.

        Raises:
            Overloaded: the wait queue is full, or no slot came within ``max_wait``.
        """
        if self._inflight < self.limits.max_inflight and not self.queued:
            self._inflight += 1
            return
        if self.queued >= self.limits.max_queued:
            self._refuse("the wait queue is full")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.limits.max_wait)
        except asyncio.TimeoutError:
            if not self._withdraw(waiter):
                return  # the slot was handed over just as the wait ended: keep it
            self._refuse(f"no slot within {self.limits.max_wait:g} s")
        except BaseException:  # cancelled while waiting
            if not self._withdraw(waiter):
                self.release()  # handed over, but nobody will use it
            raise

    def release(self) -> None:
        """Gives the slot back: to the first in line, or free."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes on; ``inflight`` is unchanged
                return
        self._inflight = max(0, self._inflight - 1)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Holds a slot for the block (see :meth:`acquire` for :class:`Overloaded`)."""
        await self.acquire()
        try:
            yield
        finally:
            self.release()

    def _withdraw(self, waiter: asyncio.Future[None]) -> bool:
        """Leaves the line; ``False`` when the waiter had already been handed a slot."""
        if waiter.done() and not waiter.cancelled():
            return False
        waiter.cancel()
        try:
            self._waiters.remove(waiter)
        except ValueError:
            pass
        return True

    def _refuse(self, why: str) -> None:
        self.refused += 1
        logger.warning(
            "overloaded: refused a customer message (%s; %d in flight, %d waiting, %d "
            "refused so far).",
            why,
            self._inflight,
            self.queued,
            self.refused,
        )
        raise Overloaded(why)


_gate: Gate | None = None


def gate() -> Gate:
    """The process-wide gate shared by all channels (limits read from the environment once)."""
    global _gate
    if _gate is None:
        _gate = Gate(Limits.from_env())
        logger.info(
            "admission: at most %d customer messages at once, %d waiting (%g s at most).",
            _gate.limits.max_inflight,
            _gate.limits.max_queued,
            _gate.limits.max_wait,
        )
    return _gate


def overloaded_response() -> HTTPResponse:
    """The HTTP answer to a refused message: 503, ``Retry-After`` and a JSON error."""
    return response.json(
        {
            "error": "overloaded",
            "message": "the server is busy; retry in a few seconds",
            "text": BUSY_NOTICE,
        },
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
