"""Exchanges (换货) and disputed returns: the client's domain objects and mixins."""

from zhike.lib.backend_client.exchanges.domain import (
    EXCHANGE_REASONS,
    Dispute,
    Exchange,
    ExchangeCheck,
    ExchangeVariant,
)

__all__ = ["EXCHANGE_REASONS", "Dispute", "Exchange", "ExchangeCheck", "ExchangeVariant"]
