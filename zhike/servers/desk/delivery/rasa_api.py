"""The Rasa server's HTTP API, as the desk uses it for a conversation an agent owns.

- :meth:`RasaConversations.send_agent_message` appends a ``bot`` event with
  ``output_channel=latest&execute_side_effects=true``: Rasa stores the agent's words in
  the conversation and sends them through the channel the customer last used (web
  widget room, 公众号/WeCom customer-service message, app push).
- :meth:`RasaConversations.set_handoff_state` sets the ``handoff_state`` slot that
  :class:`zhike.dialogue.handoff_policy.HandoffPolicy` reads: ``agent`` keeps the bot
  silent, ``None`` hands the conversation back to the bot.

Start Rasa with ``--enable-api`` (and ``--auth-token`` in production: pass it as
``token``). Rasa 3.6 reads that token from the ``token`` query parameter, which every
call here sends; :func:`hide_tokens_in_logs` keeps it out of httpx's request log lines.
"""

from __future__ import annotations

import logging
import re
import ssl
from typing import Any
from urllib.parse import quote

import httpx

from zhike.common.handoff_names import HANDOFF_STATE_SLOT, RATING_ACTION

OUTBOX_KEY = "zhike_outbox_key"  # event metadata: the desk outbox row that sent it
SENDER_NAME = "zhike_sender"  # event metadata: the agent's name the customer sees
NOTICE = "zhike_notice"  # event metadata: a handoff notice's kind (accepted, ended ...)
SAFE = ":@!$&'()*+,;=-._~"  # characters a path segment may hold unescaped (RFC 3986)


_TOKEN_PARAM = re.compile(r"([?&]token=)[^&\s\"']*")


def hide_token(text: str) -> str:
    """``text`` with the value of every ``token`` query parameter replaced by ``***``."""
    return _TOKEN_PARAM.sub(r"\1***", text)


def hide_tokens_in_logs(prefixes: tuple[str, ...] = ("httpx", "httpcore")) -> None:
    """Keeps Rasa's auth token out of the request URLs httpx logs (idempotent).

    Wraps the log record factory, so it covers every logger below ``prefixes``
    (``httpx._client`` logs the URLs) and every handler.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "zhike_hide_tokens", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.name.startswith(prefixes):
            try:
                message = record.getMessage()
            except Exception:  # a broken format string must not break logging
                return record
            hidden = hide_token(message)
            if hidden != message:
                record.msg, record.args = hidden, None
        return record

    factory.zhike_hide_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RasaApiError(RuntimeError):
    """The Rasa server could not be reached, was too slow, or answered with an error."""


class RasaConversations:
    """Rasa's HTTP API as the desk uses it: writes to conversations, reads for assist.

    Args:
        base_url: the Rasa server, e.g. ``http://127.0.0.1:5005``.
        token: Rasa's ``--auth-token``, if it was started with one.
        timeout: seconds per request.
    """

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._tls: ssl.SSLContext | None = None

    async def send_agent_message(
        self,
        sender_id: str,
        text: str,
        agent_id: str,
        key: str | None = None,
        sender_name: str | None = None,
        notice: str | None = None,
    ) -> None:
        """Delivers an agent's reply (or a handoff notice) through the customer's latest channel.

        ``key`` (an outbox idempotency key) goes into the event's metadata as
        ``zhike_outbox_key``, so a retry can find out whether this reply arrived;
        ``sender_name`` (the agent's name, shown above the reply in the web widget) as
        ``zhike_sender``, ``notice`` (the kind of a handoff notice) as ``zhike_notice``.
        """
        extra = {SENDER_NAME: sender_name or "", NOTICE: notice or ""}
        values = {"agent_id": agent_id, **{k: v for k, v in extra.items() if v}}
        event = {"event": "bot", "text": text, "metadata": _metadata(key, **values)}
        await self._append(sender_id, [event], output_channel="latest")

    async def set_handoff_state(
        self, sender_id: str, state: str | None, key: str | None = None
    ) -> None:
        """Sets ``handoff_state`` (``queued``, ``agent`` or ``None`` = back to the bot)."""
        event: dict[str, Any] = {"event": "slot", "name": HANDOFF_STATE_SLOT, "value": state}
        if key:
            event["metadata"] = _metadata(key)
        await self._append(sender_id, [event])

    async def ask_rating(self, sender_id: str, key: str | None = None) -> None:
        """Runs ``action_ask_rating`` in the conversation, answering on its latest channel.

        Rasa's ``execute`` does not listen afterwards; the ``action_listen`` appended here
        (marked with ``key`` in its metadata) lets the customer's answer match the
        dialogue rules like any other user turn.
        """
        await self.execute_rating(sender_id)
        await self.listen(sender_id, key)

    async def execute_rating(self, sender_id: str) -> None:
        """Runs ``action_ask_rating`` only (see :meth:`ask_rating`)."""
        await self._post(
            sender_id, "execute", {"name": RATING_ACTION}, {"output_channel": "latest"}
        )

    async def listen(self, sender_id: str, key: str | None = None) -> None:
        """Appends ``action_listen`` (marked with ``key``) after an executed action."""
        event: dict[str, Any] = {"event": "action", "name": "action_listen"}
        if key:
            event["metadata"] = _metadata(key)
        await self._append(sender_id, [event])

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's NLU result for ``text`` (``POST /model/parse``), for agent assist."""
        return await self._request("POST", "/model/parse", json={"text": text})

    async def tracker(self, sender_id: str) -> dict[str, Any]:
        """The conversation tracker of ``sender_id`` with all its events."""
        return await self._request(
            "GET", _conversation_path(sender_id, "tracker"), params={"include_events": "ALL"}
        )

    async def _append(
        self, sender_id: str, events: list[dict[str, Any]], output_channel: str | None = None
    ) -> None:
        params = {}
        if output_channel:  # send the bot events through that channel, not only store them
            params = {"output_channel": output_channel, "execute_side_effects": "true"}
        await self._post(sender_id, "tracker/events", events, params)

    async def _post(self, sender_id: str, path: str, body: Any, params: dict[str, str]) -> None:
        await self._request("POST", _conversation_path(sender_id, path), json=body, params=params)

    async def _request(
        self, method: str, path: str, json: Any = None, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Rasa's JSON object answer; any failure raises :class:`RasaApiError`."""
        query = dict(params or {})
        if self.token:
            query["token"] = self.token
        if self._tls is None:  # building one costs ~30 ms of CPU: once per instance
            self._tls = httpx.create_ssl_context()
        try:
            async with httpx.AsyncClient(timeout=self.timeout, verify=self._tls) as client:
                answer = await client.request(method, self.base_url + path, json=json, params=query)
        except httpx.HTTPError as exc:
            raise RasaApiError(f"Rasa server unreachable: {type(exc).__name__}") from exc
        if answer.status_code >= 400:
            raise RasaApiError(f"Rasa server answered HTTP {answer.status_code}")
        try:
            body = answer.json()
        except ValueError as exc:
            raise RasaApiError("Rasa server answered something that is not JSON") from exc
        if not isinstance(body, dict):
            raise RasaApiError("Rasa server answered something that is not a JSON object")
        return body


def _metadata(key: str | None, **values: str) -> dict[str, str]:
    return {**values, OUTBOX_KEY: key} if key else dict(values)


def _conversation_path(sender_id: str, rest: str) -> str:
    # Rasa matches the id in the raw path (no unquoting): keep ``:`` of "app:C001" as is.
    return f"/conversations/{quote(sender_id, safe=SAFE)}/{rest}"
