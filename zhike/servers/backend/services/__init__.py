"""The business rules of the reference backend, independent of HTTP.

Every function takes an ``AsyncSession`` (plus plain arguments, plus an injectable
``now`` where time matters), returns model rows (or small result objects holding rows)
and raises :class:`~zhike.servers.backend.errors.ApiError` ``(status, code, message)`` to refuse.
Ids may be passed raw: they are normalised here (a malformed one is a 400).

Write functions expect to run inside one transaction that the caller commits, e.g.
``await db.run(lambda session: orders.cancel_order(session, ...))``
(:meth:`zhike.servers.backend.db.Database.run`), and never commit themselves. A refusal normally
means "roll back"; one raised with ``keep_changes=True`` must be committed first (see
:class:`~zhike.servers.backend.errors.ApiError`). A unique-constraint ``IntegrityError`` means a
concurrent transaction won a race: run the function again in a new transaction.

Modules: :mod:`.orders` (orders, logistics, cancel, refund, address), :mod:`.invoices`,
:mod:`.customers`, :mod:`.identity` (one import for :mod:`.phone_checks`,
:mod:`.binding_codes` and :mod:`.bindings`, with :mod:`.identity_fields` and the database
counters of :mod:`.throttle`), :mod:`.school` (students, lessons, requests, enrollments)
and :mod:`.tickets`.
"""
