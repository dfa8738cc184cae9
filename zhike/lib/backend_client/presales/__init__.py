"""The pre-sales (售前) part of the client: products, fit, delivery days and fees.

:mod:`.domain` (objects and parsers), :mod:`.base` (contract), :mod:`.http` and
:mod:`.local` (the two adapters' mixins); see :mod:`zhike.lib.backend_client.mixins`.
"""
