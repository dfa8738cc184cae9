"""The table definitions behind :mod:`zhike.servers.backend.models`, one module per business area.

Import models from :mod:`zhike.servers.backend.models`, which re-exports them all.
"""
