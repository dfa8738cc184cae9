"""zhike's custom actions, loaded by the rasa_sdk action server (`rasa run actions`).

One module per capability (orders, common, ...). Business data is reached only through
the client returned by :func:`actions.services.orders_client`.
"""
