"""Tests of the customer-tags library."""
