"""Channel settings from ``credentials.yml``: values, or environment variables it names.

Rasa refuses to start while a ``${VAR}`` in credentials.yml is unset, and ``make run``
must start with no configuration; so zhike's channels take ``<key>: value`` or
``<key>_env: NAME_OF_A_VARIABLE`` (with a default name per key), read once when Rasa
starts, and answer 503 on their own routes while a required secret is missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from zhike.lib.identity.tokens import MIN_SECRET_BYTES, check_secret


def setting(credentials: Mapping[str, Any], key: str, default_env: Mapping[str, str]) -> str | None:
    """``credentials[key]``, else the environment variable named by ``<key>_env``.

    ``<key>_env`` defaults to ``default_env[key]`` (when there is one). Read once, when
    Rasa starts.
    """
    value = credentials.get(key)
    if value not in (None, ""):
        return str(value)
    env_name = credentials.get(f"{key}_env") or default_env.get(key)
    if not env_name:
        return None
    return os.environ.get(str(env_name)) or None


def secret_problems(secrets: Mapping[str, str], env_names: Mapping[str, str]) -> list[str]:
    """What is wrong with the given secrets (empty when all are set and long enough)."""
    problems = []
    for key, value in secrets.items():
        try:
            check_secret(value)
        except ValueError:
            problems.append(
                f"{key} ({env_names.get(key, key)}) is not set or shorter than "
                f"{MIN_SECRET_BYTES} bytes"
            )
    return problems
