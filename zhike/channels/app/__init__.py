"""The company mobile app's channel: one folder, like :mod:`zhike.channels.wechat`.

``channel`` is the input channel (:class:`AppInput`, named ``zhike.channels.app.AppInput``
in ``credentials.yml``): requests from the app with its login token, replies in the
response. ``output`` pushes what Rasa sends later through ``push`` (signed, retried
deliveries; wire format in ``push_protocol``), journaled by ``push_journal`` in
``push_store`` so a restart loses none.
"""

from zhike.channels.app.channel import AppInput

__all__ = ["AppInput"]
