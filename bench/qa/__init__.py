"""``python -m bench.qa``: the quality-inspection matcher and sentiment, measured on real text."""
