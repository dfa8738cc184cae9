"""The web chat widget's channel: one folder, like :mod:`zhike.channels.wechat`.

``channel`` is Rasa's socket.io input channel with the widget's routes
(:class:`WebChatInput`, named ``zhike.channels.web.WebChatInput`` in ``credentials.yml``);
``session`` assigns each socket its conversation, ``login`` binds a logged-in customer
from the company site's token, ``sync`` lets a reconnecting widget catch up, and
``assets`` serves the browser files of ``static/``.
"""

from zhike.channels.web.channel import WebChatInput

__all__ = ["WebChatInput"]
