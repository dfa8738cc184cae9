"""zhike's custom actions, run by the action server (`python -m zhike.servers.action_server`).

One module per capability (orders, common, ...). Business data is reached only through
the client returned by :func:`actions.services.backend`.
"""
