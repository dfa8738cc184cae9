"""WeChat channels: the 公众号 (official account) and the WeCom (企业微信) application callback.

``mp`` holds the 公众号 channel (``wechat``), ``wecom`` the WeCom channel (``wecom``);
``crypto`` and ``xmlcodec`` the message encryption and XML shared by both, ``api`` the
async client of their HTTP APIs and ``turns`` the de-duplication and passive-reply logic.
"""
