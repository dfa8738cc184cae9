"""zhike's benchmark harness: `python -m bench` (or `make bench`) prints one table.

It trains zhike's model and a stock Rasa baseline fresh, then measures both the same way
on the same machine: held-out NLU accuracy, /model/parse latency, REST end-to-end load
at several concurrency levels and the Rasa server's peak memory.
"""
