"""Settings of the agent desk service, read from the environment (no import-time reads)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from zhike.common.deployment import require_secrets
from zhike.lib.handoff.config import RetryPolicy
from zhike.lib.handoff.runtime import default_db_url
from zhike.lib.kb.io import MAX_FILE_BYTES
from zhike.lib.kb.live import SEED_ENV
from zhike.lib.kb.settings import kb_db_url
from zhike.servers.desk.clients import Network, parse_networks

MAX_BODY = 64 * 1024
RASA_TOKEN_VAR = "ZHIKE_DESK_RASA_TOKEN"
KB_TOKEN_VAR = "ZHIKE_KB_SERVICE_TOKEN"
MIN_KB_TOKEN_BYTES = 32
# An imported knowledge-base file (at most MAX_FILE_BYTES) plus its multipart envelope.
MAX_IMPORT_BODY = MAX_FILE_BYTES + 1024 * 1024
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class DeliverySettings:
    """How the desk's outbox dispatcher delivers to the bot's side (docs/desk.md).

    Attributes:
        retry: The backoff between attempts and when a notification is given up (dead).
        first_attempt_wait: Seconds accept, reply and close wait for the first attempt
            before answering (``delivered`` / ``bot_notified``).
        lease: How long a claimed row belongs to one dispatcher; rows of a dispatcher that
            died are tried again after it. Each attempt is cut off at half of it.
        poll_interval: Seconds between looks for rows of other processes and due retries.
        concurrency: Attempts in flight at once (always of different conversations).
        stop_grace: Seconds a stopping dispatcher lets attempts in flight finish.
    """

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    first_attempt_wait: float = 2.0
    lease: timedelta = timedelta(seconds=60)
    poll_interval: float = 2.0
    concurrency: int = 16
    stop_grace: float = 2.0

    def __post_init__(self) -> None:
        if not 0 <= self.first_attempt_wait <= 10 or not 0 < self.poll_interval <= 60:
            raise ValueError("first_attempt_wait must be 0-10 s and poll_interval 0-60 s")
        if self.lease <= timedelta() or self.concurrency < 1 or self.stop_grace < 0:
            raise ValueError("lease, concurrency and stop_grace must be positive")

    @property
    def attempt_timeout(self) -> float:
        """Seconds one attempt may take: half the lease, so it ends while still held."""
        return self.lease.total_seconds() / 2

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> DeliverySettings:
        """Reads ``ZHIKE_DESK_DELIVERY_*`` (unset: the defaults).

        ``ZHIKE_DESK_DELIVERY_MAX_ATTEMPTS`` (20), ``ZHIKE_DESK_DELIVERY_MAX_AGE_MINUTES``
        (60), ``ZHIKE_DESK_DELIVERY_RETRY_SECONDS`` (first retry after 1 s, doubling) and
        ``ZHIKE_DESK_DELIVERY_MAX_RETRY_SECONDS`` (at most 300 s between attempts).

        Raises:
            ValueError: A variable is not a positive number.
        """
        defaults = RetryPolicy()
        retry = RetryPolicy(
            first_delay=timedelta(
                seconds=_number(environ, "ZHIKE_DESK_DELIVERY_RETRY_SECONDS", 1.0)
            ),
            max_delay=timedelta(
                seconds=_number(environ, "ZHIKE_DESK_DELIVERY_MAX_RETRY_SECONDS", 300.0)
            ),
            max_attempts=int(
                _number(environ, "ZHIKE_DESK_DELIVERY_MAX_ATTEMPTS", defaults.max_attempts)
            ),
            max_age=timedelta(
                minutes=_number(environ, "ZHIKE_DESK_DELIVERY_MAX_AGE_MINUTES", 60.0)
            ),
        )
        return cls(retry=retry)


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e7:
        raise ValueError(f"{name} must be a positive number")
    return value


@dataclass(frozen=True)
class DeskSettings:
    """Configuration of one desk process.

    Attributes:
        db_url: Async SQLAlchemy URL of the database holding the ``handoff_*`` tables;
            the desk's own ``desk_*`` tables live there too.
        session_lifetime: How long a login lasts (absolute, not extended by use).
        cookie_secure: Send the session cookie with ``Secure`` (HTTPS only). Turn off only
            for plain-HTTP development on a host other than localhost.
        max_body: Largest accepted request body in bytes (413 above).
        login_max_failures: Failed logins of one account from one client address within
            ``login_window`` after which that address's attempts at the account are
            refused (429) until the window has passed.
        login_window: The window of the per-account limits.
        login_account_max_failures: Failed logins of one account from all addresses
            within ``login_window`` after which every attempt at it is refused (429).
        login_address_max_failures: Failed logins from one client address (any account)
            within ``login_address_window`` after which its attempts are refused (429).
        login_address_window: The window of the per-address limit.
        login_hash_slots: Password checks (16 MiB of scrypt each) run at once per process.
        login_hash_wait: Seconds a login waits for a free slot before 503 ``login_busy``.
        trusted_proxies: Reverse proxies whose ``X-Forwarded-For`` names the client
            (:mod:`zhike.servers.desk.clients`); empty: the TCP peer is the client.
        app_name: Sanic application name (unique per process).
        rasa_url: The Rasa server (replies, hand-back, NLU parse and trackers for assist).
        rasa_token: Rasa's ``--auth-token``, if it was started with one.
        assist_timeout: Seconds per Rasa call of agent assist and the customer context.
        delivery: How replies and take-over / hand-back notifications reach the bot.
        customer_notices: Tell the customer when an agent takes over, transfers or ends
            the conversation, and name the agent on replies (web widget).
        kb_db_url: Async SQLAlchemy URL of the knowledge base (``kb_*`` tables); ``None``:
            the ``db_url`` database.
        kb_service_token: The bearer token a trusted process sends to ``/api/kb/v1``
            (role ``service``, at least 32 bytes); ``None``: no token is accepted.
        max_import_body: Largest knowledge-base import body in bytes (413 above).
        kb_seed: A knowledge-base file imported and published when the desk starts on an
            empty knowledge base (as the action server does), so entries staff write
            before the first customer asks do not keep the seed out; ``None``: none.
        sla_seconds: How long a customer may wait (in the queue, or for the agent's
            answer) before the page shows the wait in red.
    """

    db_url: str
    session_lifetime: timedelta = timedelta(hours=8)
    cookie_secure: bool = True
    max_body: int = MAX_BODY
    login_max_failures: int = 5
    login_window: timedelta = timedelta(minutes=15)
    login_account_max_failures: int = 50
    login_address_max_failures: int = 20
    login_address_window: timedelta = timedelta(minutes=10)
    login_hash_slots: int = 2
    login_hash_wait: float = 2.0
    trusted_proxies: tuple[Network, ...] = ()
    app_name: str = "zhike_desk"
    rasa_url: str | None = None
    rasa_token: str | None = None
    assist_timeout: float = 3.0
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    customer_notices: bool = True
    kb_db_url: str | None = None
    kb_service_token: str | None = field(default=None, repr=False)
    max_import_body: int = MAX_IMPORT_BODY
    kb_seed: Path | None = None
    sla_seconds: int = 60

    def __post_init__(self) -> None:
        token = self.kb_service_token
        if token is not None and len(token.encode("utf-8")) < MIN_KB_TOKEN_BYTES:
            raise ValueError(f"{KB_TOKEN_VAR} must be at least {MIN_KB_TOKEN_BYTES} bytes")
        if self.max_import_body < 1:
            raise ValueError("max_import_body must be positive")
        if not 0 < self.sla_seconds <= 86400:
            raise ValueError("sla_seconds must be between 1 and 86400")
        if not 0 < self.assist_timeout < 120:
            raise ValueError("assist_timeout must be between 0 and 120 seconds")
        if self.session_lifetime <= timedelta():
            raise ValueError("session_lifetime must be positive")
        if self.login_max_failures < 1 or self.login_window <= timedelta():
            raise ValueError("login_max_failures and login_window must be positive")
        if self.login_account_max_failures < 1 or self.login_address_max_failures < 1:
            raise ValueError("the login failure limits must be positive")
        if self.login_address_window <= timedelta():
            raise ValueError("login_address_window must be positive")
        if self.login_hash_slots < 1 or not 0 <= self.login_hash_wait <= 60:
            raise ValueError("login_hash_slots must be positive and login_hash_wait 0-60 s")

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> DeskSettings:
        """Reads the ``ZHIKE_DESK_*`` variables.

        ``ZHIKE_DESK_DB_URL`` (default ``.zhike/handoff.db``), ``ZHIKE_DESK_SESSION_MINUTES``
        (default 480), ``ZHIKE_DESK_COOKIE_SECURE`` (default on; ``0`` turns it off),
        ``ZHIKE_DESK_RASA_URL`` and ``ZHIKE_DESK_RASA_TOKEN`` (the Rasa server that delivers
        agent replies; unset: replies are stored and only logged), ``ZHIKE_DESK_ASSIST_TIMEOUT``
        (seconds per Rasa call of agent assist, default 3), ``ZHIKE_DESK_SLA_SECONDS``
        (a wait shown in red after it, default 60) and the
        ``ZHIKE_DESK_DELIVERY_*`` retry settings (:meth:`DeliverySettings.from_env`),
        ``ZHIKE_DESK_TRUSTED_PROXIES`` (reverse proxies, addresses or networks separated
        by commas, whose ``X-Forwarded-For`` names the client; default none),
        ``ZHIKE_KB_DB_URL`` (the knowledge base, default ``.zhike/kb.db``) and
        ``ZHIKE_KB_SERVICE_TOKEN`` (the knowledge-base API's service token, at least 32
        bytes; unset: none) and ``ZHIKE_KB_SEED`` (the seed of an empty knowledge base).

        Args:
            environ: The environment to read (default ``os.environ``).
            **overrides: Field values that win over the environment (``None`` is ignored).

        Raises:
            ValueError: A variable holds an invalid value.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {"db_url": env.get("ZHIKE_DESK_DB_URL") or default_db_url()}
        minutes = env.get("ZHIKE_DESK_SESSION_MINUTES", "").strip()
        if minutes:
            if not minutes.isdigit() or int(minutes) < 1:
                raise ValueError("ZHIKE_DESK_SESSION_MINUTES must be a positive integer")
            values["session_lifetime"] = timedelta(minutes=int(minutes))
        for field_name, variable in (
            ("rasa_url", "ZHIKE_DESK_RASA_URL"),
            ("rasa_token", "ZHIKE_DESK_RASA_TOKEN"),
        ):
            if env.get(variable, "").strip():
                values[field_name] = env[variable].strip()
        timeout = env.get("ZHIKE_DESK_ASSIST_TIMEOUT", "").strip()
        if timeout:
            try:
                values["assist_timeout"] = float(timeout)
            except ValueError:
                raise ValueError("ZHIKE_DESK_ASSIST_TIMEOUT must be a number of seconds") from None
        sla = env.get("ZHIKE_DESK_SLA_SECONDS", "").strip()
        if sla:
            if not sla.isdigit():
                raise ValueError("ZHIKE_DESK_SLA_SECONDS must be a positive integer")
            values["sla_seconds"] = int(sla)
        values["delivery"] = DeliverySettings.from_env(env)
        values["kb_db_url"] = kb_db_url(env)
        if env.get(KB_TOKEN_VAR, "").strip():
            values["kb_service_token"] = env[KB_TOKEN_VAR].strip()
        if env.get(SEED_ENV, "").strip():
            values["kb_seed"] = Path(env[SEED_ENV].strip())
        try:
            values["trusted_proxies"] = parse_networks(env.get("ZHIKE_DESK_TRUSTED_PROXIES", ""))
        except ValueError as error:
            raise ValueError(f"ZHIKE_DESK_TRUSTED_PROXIES: {error}") from None
        secure = env.get("ZHIKE_DESK_COOKIE_SECURE", "").strip().lower()
        if secure:
            values["cookie_secure"] = secure not in _FALSE
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]


def check_production(environ: Mapping[str, str] | None = None) -> None:
    """Refuses to serve in production without a strong Rasa token (``ZHIKE_DESK_RASA_TOKEN``).

    The token is Rasa's ``--auth-token``: without it anyone who reaches Rasa's HTTP API
    could write into customers' conversations. In development (``ZHIKE_ENV=development``)
    it may be empty.

    Raises:
        zhike.common.deployment.ConfigurationError: naming the problem and how to fix it.
    """
    require_secrets((RASA_TOKEN_VAR,), os.environ if environ is None else environ)
