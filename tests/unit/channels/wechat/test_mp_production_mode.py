"""In production the 公众号 channel starts in safe (AES) mode only.

Plaintext and compatible mode authenticate the URL (token, timestamp, nonce), not the
message: Rasa must refuse to start with them unless ``ZHIKE_ENV=development``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.core.run import _create_single_channel

from tests.unit.channels.wechat.helpers import AES_KEY, APPID, IDENTITY_SECRET, TOKEN
from zhike.channels.wechat.mp import WeChatInput
from zhike.common.deployment import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parents[4]
CHANNEL = "zhike.channels.wechat.mp.WeChatInput"


def start_channel() -> object:
    """What ``rasa run`` does with the project's credentials.yml entry of the channel.

    (Only this channel: the others have production checks of their own.)
    """
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text("utf-8"))
    return _create_single_channel(CHANNEL, credentials[CHANNEL])


def _configure(monkeypatch: pytest.MonkeyPatch, env: str, mode: str | None, key: bool) -> None:
    monkeypatch.setenv("ZHIKE_ENV", env)
    monkeypatch.setenv("ZHIKE_IDENTITY_SECRET", IDENTITY_SECRET)
    monkeypatch.setenv("ZHIKE_WECHAT_TOKEN", TOKEN)
    monkeypatch.setenv("ZHIKE_WECHAT_APPID", APPID)
    for name, value in (("ZHIKE_WECHAT_MODE", mode), ("ZHIKE_WECHAT_ENCODING_AES_KEY", key)):
        if value:
            monkeypatch.setenv(name, AES_KEY if value is True else str(value))
        else:
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("mode", "key"),
    [("plaintext", False), (None, False), ("compatible", True), ("PlainText", True)],
    ids=["plaintext", "default-without-key", "compatible", "plaintext-with-key"],
)
def test_rasa_refuses_to_start_in_production_without_safe_mode(
    monkeypatch: pytest.MonkeyPatch, mode: str | None, key: bool
) -> None:
    _configure(monkeypatch, "production", mode, key)
    with pytest.raises(ConfigurationError) as refused:
        start_channel()
    message = str(refused.value)
    assert "ZHIKE_WECHAT_MODE=safe" in message
    assert "ZHIKE_WECHAT_ENCODING_AES_KEY" in message and "EncodingAESKey" in message
    assert "ZHIKE_ENV=development" in message
    assert TOKEN not in message and IDENTITY_SECRET not in message


@pytest.mark.parametrize("env", ["", "production", "staging"])
def test_production_is_the_default(monkeypatch: pytest.MonkeyPatch, env: str) -> None:
    _configure(monkeypatch, env, "plaintext", False)
    with pytest.raises(ConfigurationError):
        WeChatInput.from_credentials({})


def test_safe_mode_starts_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    _configure(monkeypatch, "production", None, True)
    wechat = start_channel()
    assert isinstance(wechat, WeChatInput)
    assert wechat.configured and wechat._mode == "safe"


@pytest.mark.parametrize("mode", ["plaintext", "compatible"])
def test_development_may_use_the_other_modes(monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    _configure(monkeypatch, "development", mode, True)
    channel = WeChatInput.from_credentials({})
    assert isinstance(channel, WeChatInput) and channel.configured


def test_an_unconfigured_channel_still_starts_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No token: the operator does not use WeChat; the routes answer 503 as before."""
    _configure(monkeypatch, "production", None, False)
    monkeypatch.delenv("ZHIKE_WECHAT_TOKEN")
    channel = WeChatInput.from_credentials({})
    assert isinstance(channel, WeChatInput) and not channel.configured
