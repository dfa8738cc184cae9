"""Tests of the customer-tags CLI (python -m zhike.tags)."""
