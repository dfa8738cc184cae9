"""Servers zhike runs beside Rasa: the agent desk, the reference backend, the action server.

Each is a sanic application with a ``__main__`` (``python -m zhike.servers.desk`` ...);
:mod:`~zhike.servers.serving` hardens every server process zhike starts (Rasa's too).
They import libraries (:mod:`zhike.lib`) and the shared floor (:mod:`zhike.common`);
the reference backend (:mod:`~zhike.servers.backend`) imports only the floor, since a
company replaces it with its own systems.
"""
