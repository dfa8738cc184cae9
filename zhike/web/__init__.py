"""The web chat widget: its browser files (``static/``) and how they are served.

The files are read when they are requested (see :mod:`zhike.web.assets`); the channel
that serves them is :class:`zhike.channels.web.WebChatInput`.
"""
