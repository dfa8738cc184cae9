"""The load test: many concurrent REST conversations at once, counting what goes wrong.

Not a timed test: it reports how many replies came back empty, how many action calls
failed (from the Rasa server's log), the HTTP statuses and how overload was signalled.
`python -m bench` runs it after the throughput phases; `python -m bench.loadtest` runs it
alone on a stack it starts itself.
"""

from bench.loadtest.counts import LoadTestResult
from bench.loadtest.rasa_log import ActionFailures, count_action_failures

__all__ = ["ActionFailures", "LoadTestResult", "count_action_failures"]
