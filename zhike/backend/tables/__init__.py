"""The table definitions behind :mod:`zhike.backend.models`, one module per business area.

Import models from :mod:`zhike.backend.models`, which re-exports them all.
"""
