"""``python -m bench.broker``: the SQL event broker's write throughput, per event vs. batched."""
