"""The reference business backend of zhike: a demo e-commerce platform and online school.

It plays "the company's own systems" behind the bot. Import light: this package's
``__init__`` pulls in no web framework or database driver, so the pure modules
(:mod:`zhike.servers.backend.demo_data`, :mod:`zhike.common.ids`) are usable on their own.
Run the service with ``python -m zhike.servers.backend``.
"""
