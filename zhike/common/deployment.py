"""Which kind of deployment a process runs in, and the secrets it must have.

zhike is safe by default: every server behaves as in production unless the explicit
development switch ``ZHIKE_ENV=development`` is set (``make run`` and the test stacks set
it). In production a server refuses to start while a secret it needs is missing, shorter
than 32 bytes or still a placeholder from ``.env.example``, and says which one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

ENV_VAR = "ZHIKE_ENV"
DEVELOPMENT = "development"
PRODUCTION = "production"
MIN_SECRET_BYTES = 32
# Values copied from .env.example or docs that must never reach production.
PLACEHOLDERS = frozenset({"change-me", "changeme", "secret", "password", "xxx", "todo"})


class ConfigurationError(RuntimeError):
    """A production configuration that must not start (the message names the setting)."""


def environment(env: Mapping[str, str] | None = None) -> str:
    """``development`` or ``production`` (anything but ``development`` is production)."""
    value = (env if env is not None else os.environ).get(ENV_VAR, "").strip().lower()
    return DEVELOPMENT if value in (DEVELOPMENT, "dev") else PRODUCTION


def is_development(env: Mapping[str, str] | None = None) -> bool:
    """Whether the explicit development switch is set."""
    return environment(env) == DEVELOPMENT


def secret_problem(name: str, value: str | None, min_bytes: int = MIN_SECRET_BYTES) -> str | None:
    """What is wrong with the secret in variable ``name`` (None when it is fine)."""
    if not value:
        return f"{name} is not set"
    if value.strip().lower() in PLACEHOLDERS or value.strip().lower().startswith("change-me"):
        return f"{name} is still the placeholder {value!r} from .env.example"
    if len(value.encode("utf-8")) < min_bytes:
        return f"{name} must be at least {min_bytes} bytes long"
    return None


def require_secrets(
    names: Iterable[str],
    env: Mapping[str, str] | None = None,
    min_bytes: int = MIN_SECRET_BYTES,
) -> None:
    """Refuses a production start while any named secret is missing or weak.

    In development nothing is required.

    Raises:
        ConfigurationError: naming every secret that is wrong and how to make one.
    """
    source = env if env is not None else os.environ
    if is_development(source):
        return
    problems = [p for n in names if (p := secret_problem(n, source.get(n), min_bytes))]
    if problems:
        raise ConfigurationError(
            "refusing to start a production configuration: "
            + "; ".join(problems)
            + ". Generate a secret with: python -c 'import secrets; print(secrets.token_hex(32))'"
            + f" (or set {ENV_VAR}={DEVELOPMENT} on a developer machine)."
        )
