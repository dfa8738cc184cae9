"""Libraries: zhike's own logic, used by the Rasa plug-ins, the actions and the servers.

They import the shared floor (:mod:`zhike.common`) and each other, never a plug-in, a
server or a tool; the one exception is the in-process adapter of the backend client
(:mod:`zhike.lib.backend_client.fake`), which runs the reference backend's services.
"""
