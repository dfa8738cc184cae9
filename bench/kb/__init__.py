"""Knowledge-base retrieval benchmark (`python -m bench.kb`, `make bench-kb`)."""
