"""Bringing an existing database up to the current tables (additive changes only).

``create_all`` creates missing tables but leaves existing ones alone, so a database made by
an older version (e.g. ``.zhike/backend.db`` of ``make run``) would lack newer columns.
:func:`add_missing_columns` adds every column the model has and the table lacks, provided
it may be empty (nullable) or has a server default; a unique column gets a unique index.
Anything else needs a fresh database (delete the file, or the PostgreSQL schema).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.schema import Column, Table

from zhike.servers.backend.models import Base

logger = logging.getLogger(__name__)


class SchemaError(RuntimeError):
    """The database has a table the current model cannot be added to automatically."""


def _column_ddl(column: Column, dialect: Any) -> str:
    preparer = dialect.identifier_preparer
    ddl = f"{preparer.format_column(column)} {column.type.compile(dialect=dialect)}"
    if column.server_default is not None:
        default = column.server_default.arg
        if isinstance(default, str):
            text = "'" + default.replace("'", "''") + "'"
        else:
            text = str(default.compile(dialect=dialect))
        ddl += f" DEFAULT {text}"
    if not column.nullable:
        ddl += " NOT NULL"
    return ddl


def add_missing_columns(connection: Any) -> list[str]:
    """Adds the model's columns missing from existing tables; returns ``table.column`` names.

    Runs on a synchronous connection (``await conn.run_sync(add_missing_columns)``).

    Raises:
        SchemaError: for a missing column that is NOT NULL without a server default.
    """
    inspector = inspect(connection)
    existing_tables = set(inspector.get_table_names())
    added: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable and column.server_default is None:
                raise SchemaError(
                    f"table {table.name} lacks column {column.name}, which cannot be added "
                    "to existing rows: start from a fresh database"
                )
            _add(connection, table, column)
            added.append(f"{table.name}.{column.name}")
    if added:
        logger.warning("Upgraded the database schema, added columns: %s", ", ".join(added))
    return added


def _add(connection: Any, table: Table, column: Column) -> None:
    dialect = connection.dialect
    preparer = dialect.identifier_preparer
    name = preparer.format_table(table)
    connection.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN {_column_ddl(column, dialect)}")
    if column.unique:
        index = preparer.quote(f"ux_{table.name}_{column.name}")
        connection.exec_driver_sql(
            f"CREATE UNIQUE INDEX {index} ON {name} ({preparer.format_column(column)})"
        )
