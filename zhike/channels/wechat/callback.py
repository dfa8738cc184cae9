"""What the 公众号 and WeCom channels share: turning a verified callback into a bot turn.

A channel module (:mod:`.mp`, :mod:`.wecom`) checks the request (signature, timestamp,
size, replay, decryption) and hands the message's fields to :meth:`CallbackInput.handle`,
which

1. drops retries: a message id (events: sender + CreateTime) seen in the last minutes
   is not handled again, by this process or (through the replay cache,
   :mod:`.replay`) another replica; a retry gets ``success`` (or the same passive reply
   again, when the first one was answered here and WeChat evidently never received it);
2. decides (:mod:`.policy`): text (or a recognised voice message) and menu clicks go to
   the bot, a subscription sends ``/greet`` and adds a menu hint, other message types
   get a polite "text only" answer, other events nothing;
3. runs the bot with a signed identity assertion (customer unknown: the channel only
   vouches for the openid / UserID) and waits at most the passive-reply budget (default
   4 s of WeChat's 5): an answer ready by then is returned in the response, else the
   response is ``success`` and the answer follows through the message API.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from asyncio import CancelledError
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.channels.settings import setting
from zhike.channels.tasks import spawn
from zhike.channels.wechat.api import DEFAULT_TIMEOUT
from zhike.channels.wechat.output import ApiOutputChannel, MessageApi
from zhike.channels.wechat.policy import (
    DEFAULT_WELCOME_HINT,
    FAILURE_TEXT,
    Decision,
    decide,
    message_key,
)
from zhike.channels.wechat.replay import (
    CONFLICT,
    FIRST,
    ReplayGuard,
    default_replay_db_url,
    digest,
)
from zhike.channels.wechat.turns import (
    DEFAULT_DEDUP_TTL,
    Rendered,
    TtlCache,
    Turn,
    TurnCollector,
    mask_user,
    render,
    split_text,
)
from zhike.lib.identity import assertion

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
DEFAULT_REPLY_BUDGET = 4.0


class BadMessage(Exception):
    """A verified callback without the fields every message has (the channel answers 400)."""


def common_options(
    credentials: Mapping[str, Any], default_env: Mapping[str, str]
) -> dict[str, Any]:
    """The settings every WeChat channel has: reply budget, API timeout, menu, hint, replay.

    ``replay_db_url`` (default variable ``ZHIKE_REPLAY_DB_URL``) is the replay cache's
    database (:mod:`.replay`).

    A number that does not parse (or is not positive) is logged and replaced by its default,
    so a typo never keeps Rasa from starting.
    """
    options: dict[str, Any] = {}
    for key, default in (("reply_budget", DEFAULT_REPLY_BUDGET), ("api_timeout", DEFAULT_TIMEOUT)):
        raw = setting(credentials, key, default_env)
        try:
            value = float(raw) if raw is not None else default
        except ValueError:
            value = -1.0
        if value <= 0:
            logger.warning("Ignoring %s=%r (not a positive number); using %s.", key, raw, default)
            value = default
        options[key] = value
    menu = credentials.get("menu")
    options["menu"] = menu if isinstance(menu, Mapping) else None
    options["welcome_hint"] = str(credentials.get("welcome_hint") or DEFAULT_WELCOME_HINT)
    options["replay_db_url"] = setting(credentials, "replay_db_url", default_env)
    return options


def error(status: int, code: str) -> HTTPResponse:
    """A short JSON error answer (WeChat ignores the body; operators read it)."""
    return response.json({"error": code}, status=status)


class CallbackInput(InputChannel):
    """Base of the WeChat callback channels; subclasses verify requests and build replies.

    Args:
        problems: what is wrong with the configuration (non-empty: every route answers 503).
        api: the message API client, ``None`` without API credentials (answers that miss
            the passive-reply budget are then lost, with a warning).
        identity_secret: signs the identity assertions (``ZHIKE_IDENTITY_SECRET``).
        reply_budget: seconds to wait for the bot before answering ``success``.
        menu: menu click keys mapped to what the bot gets, e.g. ``/query_order``.
        welcome_hint: text added to the greeting of a new subscriber.
        clock: unix time in seconds.
        replay_db_url: the replay cache's database (:mod:`.replay`); ``None``: the
            variable ``ZHIKE_REPLAY_DB_URL``, else SQLite ``.zhike/replay.db``.
    """

    channel_name: ClassVar[str] = ""
    output_class: ClassVar[type[ApiOutputChannel]] = ApiOutputChannel
    collector_class: ClassVar[type[TurnCollector]] = TurnCollector

    def __init__(
        self,
        problems: list[str],
        api: MessageApi | None,
        identity_secret: str | None,
        reply_budget: float = DEFAULT_REPLY_BUDGET,
        menu: Mapping[str, str] | None = None,
        welcome_hint: str = DEFAULT_WELCOME_HINT,
        clock: Callable[[], float] = time.time,
        replay_db_url: str | None = None,
    ) -> None:
        self._problems = problems
        self._api = api
        self._identity_secret = identity_secret or ""
        self._budget = reply_budget
        self._menu = {str(k): str(v) for k, v in (menu or {}).items()}
        self._welcome_hint = welcome_hint
        self._clock = clock
        self._turns: TtlCache[Turn] = TtlCache(DEFAULT_DEDUP_TTL)
        self._background: set[asyncio.Task] = set()
        self._replay = ReplayGuard(replay_db_url or default_replay_db_url(), clock)
        if problems:
            logger.warning(
                "%s channel not configured (%s): /webhooks/%s answers 503.",
                self.channel_name,
                "; ".join(problems),
                self.channel_name,
            )
        elif api is None:
            logger.warning(
                "%s channel: no API credentials, so answers slower than %.1f s are lost.",
                self.channel_name,
                reply_budget,
            )

    @classmethod
    def name(cls) -> str:
        """The channel name: URL prefix ``/webhooks/<name>`` and ``input_channel``."""
        return cls.channel_name

    @property
    def configured(self) -> bool:
        """Whether the channel is usable; else every request gets 503."""
        return not self._problems

    def get_output_channel(self) -> ApiOutputChannel | None:
        """An output channel that sends through the message API (``None`` without one)."""
        if not self.configured or self._api is None:
            return None
        return self.output_class(self._api)

    def refusal(self, request: Request) -> HTTPResponse | None:
        """503 while unconfigured, 413 for a body over 64 KiB, else ``None``."""
        if not self.configured:
            logger.debug("%s channel not configured: refused a request.", self.channel_name)
            return error(503, "not_configured")
        if len(request.body or b"") > MAX_BODY_BYTES:
            logger.info("%s: refused a body of %d bytes.", self.channel_name, len(request.body))
            return error(413, "body_too_large")
        return None

    def health(self) -> HTTPResponse:
        """``GET /health``: 200 when configured, else 503."""
        if not self.configured:
            return response.json({"status": "not_configured"}, status=503)
        return response.json({"status": "ok", "api": self._api is not None})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The routes: ``GET /health``, ``GET /webhook`` (verification), ``POST /webhook``."""
        webhook = Blueprint(f"zhike_{self.channel_name}_webhook")

        @webhook.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return self.health()

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self.refusal(request) or self.verify_url(request)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self._replay.aclose()

        return webhook

    def verify_url(self, request: Request) -> HTTPResponse:
        """Answers the platform's URL verification (``GET`` with ``echostr``)."""
        raise NotImplementedError

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Answers a message callback (``POST``)."""
        raise NotImplementedError

    def decide(self, fields: Mapping[str, str]) -> Decision:
        """What to do with a message (:func:`.policy.decide`)."""
        return decide(fields, self._menu, self._welcome_hint)

    async def replayed(self, signed: tuple[str, ...], body: bytes) -> HTTPResponse | None:
        """403 when the request signed by ``signed`` was seen before with another body.

        Args:
            signed: what the request's signature covers besides the token (``timestamp``,
                ``nonce``, the signature itself), identifying the signed request.
            body: the raw body; the same signed request with the same body is a retry
                of the same message and goes on (the message de-duplication answers it).
        """
        key = digest(*signed)
        seen = await self._replay.check(f"{self.channel_name}-request", key, digest(body))
        if seen != CONFLICT:
            return None
        logger.warning(
            "%s: refused a replayed callback (a signed request seen before, another body).",
            self.channel_name,
        )
        return error(403, "replayed")

    async def handle(
        self,
        fields: Mapping[str, str],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        started: float | None = None,
    ) -> str | None:
        """The passive reply text to a verified message, or ``None`` for ``success``.

        Args:
            fields: the message's XML fields.
            on_new_message: Rasa's handler of a user message.
            started: ``time.monotonic()`` when the request arrived (default: now); the
                reply budget counts from then.

        Raises:
            BadMessage: no sender (``FromUserName``).
        """
        started = time.monotonic() if started is None else started
        user = fields.get("FromUserName", "").strip()
        if not user:
            raise BadMessage("the message has no FromUserName")
        key = message_key(fields)
        turn, first = self._turns.setdefault(key, Turn())
        if not first:
            logger.info("%s: retry from %s not handled again.", self.channel_name, mask_user(user))
            return turn.reply if turn.done else None
        try:
            claim = await self._replay.check(f"{self.channel_name}-message", digest(key))
        except CancelledError:
            self._turns.pop(key)  # not taken: a retry may handle it
            raise
        if claim != FIRST:
            turn.done = True
            logger.info(
                "%s: message from %s already taken by another process; not handled again.",
                self.channel_name,
                mask_user(user),
            )
            return None
        try:
            turn.reply = await self._answer(user, fields, on_new_message, started)
        finally:
            turn.done = True
        return turn.reply

    async def _answer(
        self,
        user: str,
        fields: Mapping[str, str],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        started: float,
    ) -> str | None:
        decision = self.decide(fields)
        kind = re.sub(r"[^A-Za-z_]", "", fields.get("MsgType", ""))[:20] or "?"
        logger.info(
            "%s: %s from %s -> %s.", self.channel_name, kind, mask_user(user), decision.kind
        )
        if decision.kind != "bot":
            return decision.text or None
        sender_id = f"{self.channel_name}:{user}"
        text = decision.text
        signed = assertion.sign(
            None, self.channel_name, sender_id, int(self._clock()), self._identity_secret
        )
        collector = self.collector_class()
        message = UserMessage(
            text,
            collector,
            sender_id,
            input_channel=self.channel_name,
            metadata={assertion.METADATA_KEY: signed},
        )
        task = spawn(self._run_bot(on_new_message, message), f"{self.channel_name} bot turn")
        remaining = max(self._budget - (time.monotonic() - started), 0.0)
        try:
            await asyncio.wait({task}, timeout=remaining)
        except CancelledError:
            self._later(self._finish(task, collector, sender_id, decision.suffix))
            raise
        if not task.done():
            logger.info(
                "%s: answer to %s not ready in %.1f s; it will follow through the API.",
                self.channel_name,
                mask_user(user),
                self._budget,
            )
            self._later(self._finish(task, collector, sender_id, decision.suffix))
            return None
        rendered = self._rendered(task.result(), collector, decision.suffix)
        pieces = split_text(rendered.text) if rendered.text else []
        if len(pieces) > 1 or rendered.raw:  # one passive reply holds one text message
            rest = Rendered("\n".join(pieces[1:]), raw=rendered.raw)
            self._later(self._deliver(sender_id, rest))
        return pieces[0] if pieces else None

    async def _run_bot(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
    ) -> bool:
        try:
            await on_new_message(message)
        except Exception:
            logger.exception(
                "%s: handling a message of %s failed.",
                self.channel_name,
                mask_user(message.sender_id.partition(":")[2]),
            )
            return False
        return True

    def _rendered(self, ok: bool, collector: TurnCollector, suffix: str) -> Rendered:
        return render(collector.messages, suffix) if ok else Rendered(FAILURE_TEXT)

    async def _finish(
        self, task: asyncio.Task, collector: TurnCollector, sender_id: str, suffix: str
    ) -> None:
        ok = await task
        await self._deliver(sender_id, self._rendered(ok, collector, suffix))

    async def _deliver(self, sender_id: str, rendered: Rendered) -> None:
        if not rendered.text and not rendered.raw:
            return
        output = self.get_output_channel()
        if output is None:
            logger.warning(
                "%s: an answer to %s is lost: no API credentials to send it later.",
                self.channel_name,
                mask_user(sender_id.partition(":")[2]),
            )
            return
        await output.deliver(sender_id, rendered)

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        """Runs ``work`` after the response; a failure is logged (:func:`.tasks.spawn`)."""
        task = spawn(work, f"{self.channel_name} late reply")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Waits for the answers still being delivered in the background (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
