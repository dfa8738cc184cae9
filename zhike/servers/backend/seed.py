"""Idempotent loading of the demo data (:mod:`~zhike.servers.backend.demo_data`) into a database."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select

from zhike.servers.backend.db import Database
from zhike.servers.backend.demo_data import TABLES, build_demo_data
from zhike.servers.backend.models import MODELS_BY_TABLE, Customer

logger = logging.getLogger(__name__)


async def is_empty(db: Database) -> bool:
    """True when the database holds no customer yet."""
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(Customer))
    return not count


async def seed_if_empty(db: Database, now: datetime | None = None) -> bool:
    """Loads the demo data set unless the database already holds customers.

    Everything is written in one transaction, so a failed seed leaves nothing behind.

    Args:
        db: the database (tables must exist).
        now: reference time of the data set (default: now); lessons, ETAs and tracking
            events are placed relative to it.

    Returns:
        True when data was written, False when the database was not empty.
    """
    if not await is_empty(db):
        return False
    data = build_demo_data(now)
    async with db.transaction() as session:
        for table in TABLES:
            model = MODELS_BY_TABLE[table]
            session.add_all(model(**row) for row in data[table])
            await session.flush()  # keep parent-before-child insertion order
    logger.info("Seeded demo data: %s", ", ".join(f"{len(data[t])} {t}" for t in TABLES))
    return True
