"""Tooling: what developers and operators run — ``make run``, ``make train``, the launcher.

:mod:`~zhike.tools.run` starts the whole stack on embedded defaults
(:mod:`~zhike.tools.stack`, processes from :mod:`~zhike.tools.process`);
:mod:`~zhike.tools.train` trains the model reproducibly; :mod:`~zhike.tools.launch` runs a
server module (Rasa) with masked logs and a hardened sanic. Tools may import every layer;
nothing imports a tool except tests and benchmarks.
"""
