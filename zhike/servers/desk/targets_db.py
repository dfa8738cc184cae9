"""The supervisors' KPI targets (``desk_kpi_targets``) and the metrics they may target.

A target says which way a metric of the analytics summary should go and how far, e.g.
``containment_rate >= 0.7`` or ``avg_first_response_s <= 30``. The targets live in the
desk database (so every desk replica shows the same ones); while no supervisor has saved
any, :data:`DEFAULT_TARGETS` apply. Rates are fractions 0..1, durations seconds, the same
units as the analytics API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Float, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.models import DeskBase

AT_LEAST = ">="
AT_MOST = "<="
DIRECTIONS = (AT_LEAST, AT_MOST)
RATE = "rate"
SECONDS = "seconds"
MAX_SECONDS = 86_400.0  # a day


@dataclass(frozen=True)
class Metric:
    """A metric of the analytics summary a target may be set for.

    Attributes:
        name: Its field name in ``GET /analytics/summary``.
        label: Its Chinese name on the page.
        unit: ``rate`` (0..1, shown as a percent) or ``seconds``.
    """

    name: str
    label: str
    unit: str

    @property
    def maximum(self) -> float:
        """The largest value a target may have."""
        return 1.0 if self.unit == RATE else MAX_SECONDS


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("containment_rate", "机器人解决率", RATE),
        Metric("handoff_rate", "转人工率", RATE),
        Metric("csat_score", "满意度", RATE),
        Metric("avg_first_response_s", "平均首次响应", SECONDS),
        Metric("abandonment_rate", "放弃率", RATE),
        Metric("queue_abandonment_rate", "排队放弃率", RATE),
        Metric("fallback_rate", "未识别率", RATE),
        Metric("knowledge_coverage", "知识库覆盖率", RATE),
        Metric("csat_response_rate", "评价参与率", RATE),
        Metric("avg_agent_reply_s", "坐席平均回复时长", SECONDS),
        Metric("mtta_s", "平均接入时长", SECONDS),
        Metric("avg_resolution_s", "平均解决时长", SECONDS),
    )
}


@dataclass(frozen=True)
class Target:
    """One KPI target: ``metric`` should be ``direction`` (``>=``/``<=``) ``value``."""

    metric: str
    direction: str
    value: float

    def met(self, actual: float) -> bool:
        """Whether ``actual`` meets the target."""
        return actual >= self.value if self.direction == AT_LEAST else actual <= self.value


DEFAULT_TARGETS = (
    Target("containment_rate", AT_LEAST, 0.7),
    Target("avg_first_response_s", AT_MOST, 30.0),
    Target("csat_score", AT_LEAST, 0.9),
    Target("handoff_rate", AT_MOST, 0.3),
)


class KpiTarget(DeskBase):
    """A saved KPI target, one row per metric."""

    __tablename__ = "desk_kpi_targets"
    metric = Column(String(32), primary_key=True)
    direction = Column(String(2), nullable=False)
    value = Column(Float, nullable=False)
    updated_by = Column(String(64), nullable=False)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


@dataclass(frozen=True)
class TargetSet:
    """The targets in force, and who saved them when (``None`` for the defaults)."""

    targets: tuple[Target, ...]
    updated_by: str | None = None
    updated_at: datetime | None = None


def _in_order(targets: list[Target]) -> tuple[Target, ...]:
    order = list(METRICS)
    return tuple(sorted(targets, key=lambda target: order.index(target.metric)))


async def load_targets(db: DeskDatabase) -> TargetSet:
    """The saved targets, or :data:`DEFAULT_TARGETS` while none were ever saved."""
    async with db.session() as session:
        rows = list((await session.execute(select(KpiTarget))).scalars())
    rows = [row for row in rows if row.metric in METRICS]
    if not rows:
        return TargetSet(DEFAULT_TARGETS)
    latest = max(rows, key=lambda row: row.updated_at)
    targets = [Target(row.metric, row.direction, float(row.value)) for row in rows]
    return TargetSet(_in_order(targets), latest.updated_by, latest.updated_at)


async def save_targets(db: DeskDatabase, targets: list[Target], username: str) -> TargetSet:
    """Replaces every saved target by ``targets`` in one transaction.

    An empty list forgets the saved targets, so :data:`DEFAULT_TARGETS` apply again.
    """
    now = utcnow()

    async def work(session: AsyncSession) -> None:
        await session.execute(delete(KpiTarget))
        for target in targets:
            session.add(
                KpiTarget(
                    metric=target.metric,
                    direction=target.direction,
                    value=target.value,
                    updated_by=username,
                    updated_at=now,
                )
            )

    await db.run(work)
    return await load_targets(db)
