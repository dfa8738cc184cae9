"""zhike (智客): an open-source, all-scenario Chinese customer-service system on Rasa.

The layers, top to bottom; a module imports only from its own layer's package or from
the layers its row names (``tests/unit/test_layers.py`` checks every import)::

    zhike/tools/      make run / make train, the stack, the Rasa launcher     -> anything
    zhike/kb/         python -m zhike.kb (the knowledge-base CLI)             -> anything
    zhike/servers/    desk, backend (reference business systems),             -> lib, common
                      action_server, serving (hardening of every server)
    Rasa plug-ins     channels/, nlu/, dialogue/, tracker_store/ — where      -> lib, common
                      config.yml, credentials.yml and endpoints.yml name them
    actions/          the custom actions (a top-level package)               -> lib, common
    zhike/lib/        handoff, identity, backend_client, chinese_time, kb    -> lib, common
    zhike/analytics/  the analytics pipeline (a library layer with its own   -> lib, common
                      consumer process, python -m zhike.analytics)
    zhike/common/     ids, times, handoff_names, json_body, database,         -> nothing
                      privacy, formats, deployment

Servers import no other server but ``serving``; the reference backend imports only the
shared floor, since a company replaces it with its own systems. Only the backend
client's in-process adapter (``zhike.lib.backend_client.fake``) reaches into
``zhike.servers.backend``. Plug-ins do not import each other.
"""

__version__ = "0.1.0"
