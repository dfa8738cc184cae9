"""Settings of the agent desk service, read from the environment (no import-time reads)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from zhike.handoff.runtime import default_db_url

DEFAULT_FAQ_PATH = Path(__file__).resolve().parents[2] / "data" / "nlu" / "faq.yml"
MAX_BODY = 64 * 1024
_FALSE = {"0", "false", "no", "off"}


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
        login_max_failures: Failed logins of one account within ``login_window`` after
            which further attempts are refused (429) until the window has passed.
        login_window: The window of the login rate limit.
        app_name: Sanic application name (unique per process).
        rasa_url: The Rasa server (replies, hand-back, NLU parse and trackers for assist).
        rasa_token: Rasa's ``--auth-token``, if it was started with one.
        faq_path: The FAQ knowledge base (``nlu`` examples and ``utter_faq/*`` responses)
            agent assist suggests answers from.
        assist_timeout: Seconds per Rasa call of agent assist and the customer context.
    """

    db_url: str
    session_lifetime: timedelta = timedelta(hours=8)
    cookie_secure: bool = True
    max_body: int = MAX_BODY
    login_max_failures: int = 5
    login_window: timedelta = timedelta(minutes=15)
    app_name: str = "zhike_desk"
    rasa_url: str | None = None
    rasa_token: str | None = None
    faq_path: Path = DEFAULT_FAQ_PATH
    assist_timeout: float = 3.0

    def __post_init__(self) -> None:
        if not 0 < self.assist_timeout < 120:
            raise ValueError("assist_timeout must be between 0 and 120 seconds")
        if self.session_lifetime <= timedelta():
            raise ValueError("session_lifetime must be positive")
        if self.login_max_failures < 1 or self.login_window <= timedelta():
            raise ValueError("login_max_failures and login_window must be positive")

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> DeskSettings:
        """Reads the ``ZHIKE_DESK_*`` variables.

        ``ZHIKE_DESK_DB_URL`` (default ``.zhike/handoff.db``), ``ZHIKE_DESK_SESSION_MINUTES``
        (default 480), ``ZHIKE_DESK_COOKIE_SECURE`` (default on; ``0`` turns it off),
        ``ZHIKE_DESK_RASA_URL`` and ``ZHIKE_DESK_RASA_TOKEN`` (the Rasa server that delivers
        agent replies; unset: replies are stored and only logged), ``ZHIKE_DESK_FAQ_PATH``
        (default the project's ``data/nlu/faq.yml``) and ``ZHIKE_DESK_ASSIST_TIMEOUT``
        (seconds per Rasa call of agent assist, default 3).

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
        if env.get("ZHIKE_DESK_FAQ_PATH", "").strip():
            values["faq_path"] = Path(env["ZHIKE_DESK_FAQ_PATH"].strip())
        timeout = env.get("ZHIKE_DESK_ASSIST_TIMEOUT", "").strip()
        if timeout:
            try:
                values["assist_timeout"] = float(timeout)
            except ValueError:
                raise ValueError("ZHIKE_DESK_ASSIST_TIMEOUT must be a number of seconds") from None
        secure = env.get("ZHIKE_DESK_COOKIE_SECURE", "").strip().lower()
        if secure:
            values["cookie_secure"] = secure not in _FALSE
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]
