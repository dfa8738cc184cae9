"""A 公众号 follower and a WeCom employee talking to the real Rasa server.

Each builds the encrypted (safe-mode) callback WeChat / WeCom would POST, and reads the
bot's answer from the passive reply -- or, when the bot took longer than the reply
budget and the callback answered ``success``, from the fake WeChat API server that
recorded the customer-service message sent afterwards.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from typing import Any

import httpx

from zhike.channels.wechat.crypto import MessageCrypt, signature
from zhike.channels.wechat.xmlcodec import build_xml, parse_message
from zhike.tools.stack import PROJECT_ROOT

WECHAT_TOKEN = "e2eWeChatToken01"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WECHAT_APPID = "wx0e2e000000000001"
WECHAT_ACCOUNT = "gh_e2e000000001"
WECOM_TOKEN = "e2eWeComToken001"
WECOM_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
WECOM_CORPID = "wwe2e00000000001"
WECOM_AGENTID = "1000002"


def channel_env(fake_api_url: str) -> dict[str, str]:
    """What the Rasa server needs to serve both channels against the fake API."""
    return {
        "ZHIKE_WECHAT_TOKEN": WECHAT_TOKEN,
        "ZHIKE_WECHAT_APPID": WECHAT_APPID,
        "ZHIKE_WECHAT_APPSECRET": "e2e-wechat-appsecret",
        "ZHIKE_WECHAT_ENCODING_AES_KEY": WECHAT_AES_KEY,
        "ZHIKE_WECHAT_API_BASE_URL": fake_api_url,
        "ZHIKE_WECOM_TOKEN": WECOM_TOKEN,
        "ZHIKE_WECOM_ENCODING_AES_KEY": WECOM_AES_KEY,
        "ZHIKE_WECOM_CORPID": WECOM_CORPID,
        "ZHIKE_WECOM_SECRET": "e2e-wecom-secret",
        "ZHIKE_WECOM_AGENTID": WECOM_AGENTID,
        "ZHIKE_WECOM_API_BASE_URL": fake_api_url,
    }


class FakeApiProcess:
    """The fake WeChat/WeCom API server (tests/unit/channels/wechat) in its own process."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Starts the server and waits until it answers."""
        module = "tests.unit.channels.wechat.fake_wechat_api"
        self._process = subprocess.Popen(
            [sys.executable, "-m", module, "--port", str(self.port)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/_fake/sent", timeout=2).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the fake WeChat API server did not start")

    def stop(self) -> None:
        """Stops the server."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)

    def sent(self) -> list[dict[str, Any]]:
        """The messages the bot sent through the API so far."""
        return list(httpx.get(f"{self.url}/_fake/sent", timeout=5).json())


class _CallbackUser:
    path = ""
    to = ""
    crypt: MessageCrypt
    extra_fields: tuple[tuple[str, str], ...] = ()

    def __init__(self, rasa_url: str, api: FakeApiProcess, user_id: str) -> None:
        self.url = f"{rasa_url}/webhooks/{self.path}/webhook"
        self.api = api
        self.user_id = user_id

    def _query(self, timestamp: str, nonce: str, encrypted: str) -> dict[str, str]:
        raise NotImplementedError

    def say(self, text: str, timeout: float = 30.0) -> str:
        """Sends ``text``; returns the bot's answer (passive or through the API)."""
        before = len(self._mine(self.api.sent()))
        now = str(int(time.time()))
        inner = build_xml(
            [
                ("ToUserName", self.to),
                ("FromUserName", self.user_id),
                ("CreateTime", now),
                ("MsgType", "text"),
                ("Content", text),
                ("MsgId", str(secrets.randbelow(10**18))),
                *self.extra_fields,
            ]
        )
        nonce = secrets.token_hex(6)
        encrypted = self.crypt.encrypt(inner)
        body = build_xml([("ToUserName", self.to), ("Encrypt", encrypted)])
        answer = httpx.post(
            self.url, params=self._query(now, nonce, encrypted), content=body, timeout=30
        )
        answer.raise_for_status()
        if answer.text != "success":
            outer = parse_message(answer.content)
            return parse_message(self.crypt.decrypt(outer["Encrypt"]))["Content"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            late = self._mine(self.api.sent())[before:]
            if late:
                time.sleep(0.5)  # the rest of the turn
                late = self._mine(self.api.sent())[before:]
                return "\n".join(m["text"]["content"] for m in late if "text" in m)
            time.sleep(0.2)
        return ""

    def _mine(self, sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [m for m in sent if m.get("touser") == self.user_id]


class WeChatFollower(_CallbackUser):
    """A 公众号 follower (openid), in safe mode."""

    path = "wechat"
    to = WECHAT_ACCOUNT
    crypt = MessageCrypt(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APPID)

    def _query(self, timestamp: str, nonce: str, encrypted: str) -> dict[str, str]:
        return {
            "signature": signature(WECHAT_TOKEN, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": self.user_id,
            "encrypt_type": "aes",
            "msg_signature": self.crypt.signature(timestamp, nonce, encrypted),
        }


class WeComEmployee(_CallbackUser):
    """An employee in the company's WeCom helpdesk application (UserID)."""

    path = "wecom"
    to = WECOM_CORPID
    crypt = MessageCrypt(WECOM_TOKEN, WECOM_AES_KEY, WECOM_CORPID)
    extra_fields = (("AgentID", WECOM_AGENTID),)

    def _query(self, timestamp: str, nonce: str, encrypted: str) -> dict[str, str]:
        return {
            "msg_signature": self.crypt.signature(timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
        }
