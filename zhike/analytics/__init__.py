"""Analytics: conversation events and handoff episodes turned into KPI tables and metrics.

The consumer (``python -m zhike.analytics consume``, :mod:`zhike.analytics.consumer`)
reads Rasa's tracker events from the event broker (Rasa's SQL broker table, or the
RabbitMQ queue in production) and the handoff episodes, agent replies and ratings from
the desk's database, and writes one row per conversation session and one row per message
(texts masked) into the analytics database (:mod:`zhike.analytics.models`).
:mod:`zhike.analytics.metrics` computes the KPIs over those rows; the desk's analytics API
and ``python -m zhike.analytics summary`` show them. See docs/analytics.md.
"""
