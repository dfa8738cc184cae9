"""Where the knowledge base lives: ``ZHIKE_KB_DB_URL``, else ``.zhike/kb.db``."""

from __future__ import annotations

from collections.abc import Mapping

from zhike.common.database import state_sqlite_url

ENV_VAR = "ZHIKE_KB_DB_URL"
DEFAULT_FILE = "kb.db"


def kb_db_url(env: Mapping[str, str]) -> str:
    """``ZHIKE_KB_DB_URL`` when set, else SQLite ``.zhike/kb.db`` under the working directory."""
    return env.get(ENV_VAR, "").strip() or state_sqlite_url(DEFAULT_FILE)
