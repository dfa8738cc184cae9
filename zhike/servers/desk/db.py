"""The desk tables' database: :class:`zhike.common.database.AsyncDatabase` for ``desk_*``."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from zhike.common.database import AsyncDatabase
from zhike.servers.desk.models import DeskBase


class DeskDatabase(AsyncDatabase):
    """An async engine for the ``desk_*`` tables (accounts, sessions, login failures).

    Args:
        db_url: An async SQLAlchemy URL (``sqlite+aiosqlite://...``,
            ``postgresql+asyncpg://...``).
        echo: Log every statement.
    """

    metadata = DeskBase.metadata

    def upgrade(self, connection: Connection) -> None:
        """Adds ``desk_login_failures.address`` to a table created before it existed."""
        columns = {
            column["name"] for column in inspect(connection).get_columns("desk_login_failures")
        }
        if "address" in columns:
            return
        exists = "IF NOT EXISTS " if connection.dialect.name == "postgresql" else ""
        connection.execute(
            text(f"ALTER TABLE desk_login_failures ADD COLUMN {exists}address VARCHAR(64)")
        )
        connection.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_desk_login_failures_address "
                "ON desk_login_failures (address)"
            )
        )
