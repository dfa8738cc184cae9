"""Customers' notes on their open tickets (工单补充说明): the client side.

:mod:`.base` (the contract), :mod:`.http` and :mod:`.local` (the two adapters' mixins). The
answer is the ticket itself (:class:`~zhike.lib.backend_client.domain.Ticket`, whose
``notes`` hold the texts), so the capability has no domain module of its own.
"""
