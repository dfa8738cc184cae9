"""Seed and database layer against a real SQLite file (in-process, no HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend import queries
from zhike.servers.backend.app import create_app
from zhike.servers.backend.config import Settings, default_db_url
from zhike.servers.backend.db import Database
from zhike.servers.backend.demo_data import TABLES, build_demo_data
from zhike.servers.backend.models import MODELS_BY_TABLE, Lesson, Order, Ticket
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.serializers import order_json
from zhike.servers.backend.services import tickets

pytestmark = pytest.mark.integration

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/state/b.db")
    await database.create_tables()
    yield database
    await database.dispose()


async def _counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return {
            table: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for table, model in MODELS_BY_TABLE.items()
        }


async def test_seed_is_idempotent(db: Database) -> None:
    assert await seed_if_empty(db, now=NOW) is True
    first = await _counts(db)
    expected = build_demo_data(NOW)
    assert first == {table: len(expected[table]) for table in TABLES}
    assert await seed_if_empty(db, now=NOW + timedelta(days=3)) is False
    assert await _counts(db) == first


async def test_seeded_rows_read_back_with_aware_times(db: Database) -> None:
    await seed_if_empty(db, now=NOW)
    async with db.session() as session:
        order = await queries.get_order(session, "HP20240001")
        assert order is not None
        document = order_json(order)
        next_lesson = await session.scalar(
            select(Lesson)
            .where(Lesson.course_id == "CS001", Lesson.start_at > NOW)
            .order_by(Lesson.start_at)
            .limit(1)
        )
        statuses = (await session.execute(select(Order.id, Order.status))).all()
    assert document["logistics"]["tracking_number"] == "SF1234567890"
    assert document["created_at"].endswith("+00:00")
    assert next_lesson is not None and next_lesson.teacher == "王老师"
    assert next_lesson.start_at.tzinfo is not None and next_lesson.start_at > NOW
    # the first five; the after-sales capabilities add older orders of their own
    assert {order: status for order, status in statuses if order < "HP20240006"} == {
        "HP20240001": "shipped",
        "HP20240002": "delivered",
        "HP20240003": "paid",
        "HP20240004": "refunding",
        "HP20240005": "shipped",
    }


async def test_in_memory_sqlite_keeps_one_database() -> None:
    database = Database("sqlite+aiosqlite:///:memory:")
    try:
        await database.create_tables()
        assert await seed_if_empty(database, now=NOW) is True
        assert (await _counts(database))["orders"] == len(build_demo_data(NOW)["orders"])
    finally:
        await database.dispose()


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    await seed_if_empty(db, now=NOW)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            order = await session.get(Order, "HP20240003")
            assert order is not None
            order.status = "cancelled"
            await session.flush()
            raise RuntimeError("abort")
    async with db.session() as session:
        order = await session.get(Order, "HP20240003")
        assert order is not None and order.status == "paid"


def test_settings_and_app_factory(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"ZHIKE_BACKEND_API_KEY": "k", "ZHIKE_BACKEND_FAULTS": "1"},
        app_name="zhike_backend_factory_test",
    )
    assert settings.api_key == "k" and settings.faults_enabled and settings.seed
    assert settings.db_url == default_db_url()
    assert default_db_url(tmp_path) == f"sqlite+aiosqlite:///{tmp_path.resolve()}/.zhike/backend.db"
    assert Settings.from_env({}).api_key is None
    assert Settings.from_env({"ZHIKE_BACKEND_DB_URL": "sqlite+aiosqlite://"}).db_url == (
        "sqlite+aiosqlite://"
    )
    app = create_app(settings)  # no engine, no I/O until the server starts
    paths = {route.path for route in app.router.routes}
    assert {"health", "api/v1/orders/<order_id:str>", "__faults"} <= paths
    assert not hasattr(app.ctx, "db")
    assert not (tmp_path / ".zhike").exists()


async def test_database_of_an_older_version_gets_the_new_columns(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/old.db")
    try:
        async with database.engine.begin() as conn:
            for statement in (
                "CREATE TABLE customers (id VARCHAR(16) PRIMARY KEY, name VARCHAR(64) NOT NULL, "
                "phone VARCHAR(20) NOT NULL, vip BOOLEAN NOT NULL, created_at DATETIME NOT NULL)",
                "INSERT INTO customers VALUES ('C001', '张伟', '13800138001', 1, "
                "'2024-01-01 00:00:00')",
                "CREATE TABLE tickets (id VARCHAR(16) PRIMARY KEY, customer_id VARCHAR(16), "
                "category VARCHAR(32) NOT NULL, summary TEXT NOT NULL, "
                "status VARCHAR(32) NOT NULL, created_at DATETIME NOT NULL, "
                "updated_at DATETIME NOT NULL)",
            ):
                await conn.exec_driver_sql(statement)
        await database.create_tables()
        await database.create_tables()  # idempotent
        async with database.session() as session:
            customer = await queries.get_customer(session, "C001")
            assert customer is not None and customer.course_notifications is True

        async def ticket(session: AsyncSession) -> tickets.TicketResult:
            return await tickets.create_ticket(
                session, "other", "旧库", "C001", "web", idempotency_key="k", now=NOW
            )

        first, repeat = await database.run(ticket), await database.run(ticket)
        assert first.created and not repeat.created and repeat.ticket.id == first.ticket.id
        assert first.ticket.id == "TK20240001" and first.ticket.channel == "web"
        with pytest.raises(IntegrityError):  # the new column's unique index exists
            async with database.transaction() as session:
                session.add(Ticket(id="TK20240099", category="other", summary="x", status="open",
                                   idempotency_key="k"))  # fmt: skip
    finally:
        await database.dispose()
