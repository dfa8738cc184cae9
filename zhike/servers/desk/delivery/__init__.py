"""How the desk delivers to the bot's side: the outbox dispatcher, its sink and the Rasa client.

:mod:`~zhike.servers.desk.delivery.dispatcher` claims the handoff library's outbox rows,
:mod:`~zhike.servers.desk.delivery.sink` turns each into calls of
:mod:`~zhike.servers.desk.delivery.rasa_api` (Rasa's HTTP API: an agent's words, the
``handoff_state`` slot, the rating question).
"""
