"""The API clients and the output channel against the fake WeChat / WeCom API server."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from tests.unit.channels.wechat.fake_wechat_api import FakeWeChatApi
from tests.unit.channels.wechat.helpers import AGENTID, APPID, CORPID, OPENID, USERID
from tests.unit.channels.wechat.test_mp_channel import channel
from zhike.channels.wechat.api import MpApiClient, WeChatApiError, WeComApiClient
from zhike.channels.wechat.mp import WeChatOutput


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def mp_client(fake: FakeWeChatApi, **kwargs: object) -> MpApiClient:
    return MpApiClient(APPID, "app-secret", fake.base_url, **kwargs)  # type: ignore[arg-type]


async def test_token_is_fetched_once_and_cached(fake_api: FakeWeChatApi) -> None:
    client = mp_client(fake_api)
    await client.send_text(OPENID, "一")
    await client.send_text(OPENID, "二")
    assert len(fake_api.token_calls) == 1
    assert fake_api.token_calls[0] == {
        "path": "/cgi-bin/token",
        "grant_type": "client_credential",
        "appid": APPID,
        "secret": "app-secret",
    }
    assert [m["text"]["content"] for m in fake_api.sent] == ["一", "二"]
    assert fake_api.sent[0]["touser"] == OPENID and fake_api.sent[0]["msgtype"] == "text"
    await client.aclose()


async def test_concurrent_calls_share_one_token_fetch(fake_api: FakeWeChatApi) -> None:
    fake_api.delay = 0.05
    client = mp_client(fake_api)
    await asyncio.gather(*(client.send_text(OPENID, str(i)) for i in range(5)))
    assert len(fake_api.token_calls) == 1
    assert len(fake_api.sent) == 5


async def test_token_is_refreshed_before_it_expires(fake_api: FakeWeChatApi) -> None:
    clock = FakeClock()
    fake_api.expires_in = 7200
    client = mp_client(fake_api, clock=clock, token_margin=300)
    await client.send_text(OPENID, "a")
    clock.now += 7200 - 300 - 1
    await client.send_text(OPENID, "b")
    assert len(fake_api.token_calls) == 1
    clock.now += 2
    await client.send_text(OPENID, "c")
    assert len(fake_api.token_calls) == 2
    assert [c["access_token"] for c in fake_api.send_calls] == ["TOKEN-1", "TOKEN-1", "TOKEN-2"]


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
async def test_refused_token_is_refreshed_once_and_the_call_retried(
    fake_api: FakeWeChatApi, errcode: int
) -> None:
    client = mp_client(fake_api)
    await client.send_text(OPENID, "a")
    fake_api.fail_next(errcode)
    await client.send_text(OPENID, "b")
    assert len(fake_api.token_calls) == 2
    assert [m["text"]["content"] for m in fake_api.sent] == ["a", "b"]


async def test_token_invalidated_elsewhere_is_refreshed(fake_api: FakeWeChatApi) -> None:
    client = mp_client(fake_api)
    await client.send_text(OPENID, "a")
    fake_api.invalidate_tokens()  # another server fetched a token for the same AppID
    await client.send_text(OPENID, "b")
    assert [c["access_token"] for c in fake_api.send_calls] == ["TOKEN-1", "TOKEN-1", "TOKEN-2"]
    assert len(fake_api.sent) == 2


async def test_a_token_error_twice_is_not_retried_forever(fake_api: FakeWeChatApi) -> None:
    fake_api.fail_next(40001, times=5)
    with pytest.raises(WeChatApiError) as exc:
        await mp_client(fake_api).send_text(OPENID, "a")
    assert exc.value.errcode == 40001
    assert len(fake_api.send_calls) == 2 and len(fake_api.token_calls) == 2


@pytest.mark.parametrize(("errcode", "meaning"), [(45015, "48 hours"), (45047, "quota")])
async def test_window_and_quota_errors_are_raised_without_retry(
    fake_api: FakeWeChatApi, errcode: int, meaning: str
) -> None:
    fake_api.fail_next(errcode)
    with pytest.raises(WeChatApiError) as exc:
        await mp_client(fake_api).send_text(OPENID, "a")
    assert exc.value.errcode == errcode
    assert meaning in str(exc.value)
    assert len(fake_api.send_calls) == 1 and fake_api.sent == []


async def test_token_endpoint_errors_are_raised(fake_api: FakeWeChatApi) -> None:
    fake_api.token_errcode = 40125
    with pytest.raises(WeChatApiError) as exc:
        await mp_client(fake_api).send_text(OPENID, "a")
    assert exc.value.errcode == 40125 and "AppSecret" in str(exc.value)
    assert "app-secret" not in str(exc.value)
    assert fake_api.send_calls == []


async def test_a_slow_server_times_out(fake_api: FakeWeChatApi) -> None:
    fake_api.delay = 2.0
    started = time.monotonic()
    with pytest.raises(WeChatApiError) as exc:
        await mp_client(fake_api, timeout=0.2).send_text(OPENID, "a")
    assert exc.value.errcode is None and "timed out" in str(exc.value)
    assert time.monotonic() - started < 1.5


async def test_an_unreachable_server_is_an_error() -> None:
    client = MpApiClient(APPID, "app-secret", "http://127.0.0.1:9", timeout=1.0)
    with pytest.raises(WeChatApiError) as exc:
        await client.send_text(OPENID, "a")
    assert exc.value.errcode is None


async def test_wecom_client(fake_api: FakeWeChatApi) -> None:
    client = WeComApiClient(CORPID, "corp-secret", AGENTID, fake_api.base_url)
    await client.send_text(USERID, "你好")
    assert fake_api.token_calls == [
        {"path": "/cgi-bin/gettoken", "corpid": CORPID, "corpsecret": "corp-secret"}
    ]
    [sent] = fake_api.sent
    assert sent == {
        "path": "/cgi-bin/message/send",
        "touser": USERID,
        "agentid": AGENTID,
        "msgtype": "text",
        "text": {"content": "你好"},
    }


# --- the output channel (Rasa's trigger_intent / output_channel=latest) ------------------------


def output(fake: FakeWeChatApi) -> tuple[WeChatOutput, object]:
    ch = channel(fake.base_url)
    out = ch.get_output_channel()
    assert isinstance(out, WeChatOutput) and out.name() == "wechat"
    return out, ch


async def test_output_channel_sends_texts_and_numbered_buttons(fake_api: FakeWeChatApi) -> None:
    out, _ = output(fake_api)
    await out.send_response(f"wechat:{OPENID}", {"text": "客服回复：已为您处理。"})
    buttons = [{"title": "满意", "payload": "/thank"}, {"title": "不满意", "payload": "/complain"}]
    await out.send_response(f"wechat:{OPENID}", {"text": "请评价", "buttons": buttons})
    await out.send_response(f"wechat:{OPENID}", {"image": "https://x/y.png"})
    contents = [m["text"]["content"] for m in fake_api.sent]
    assert contents == [
        "客服回复：已为您处理。",
        "请评价\n回复 1：满意\n回复 2：不满意",
        "图片：https://x/y.png",
    ]
    assert {m["touser"] for m in fake_api.sent} == {OPENID}


async def test_output_channel_custom_json(
    fake_api: FakeWeChatApi, caplog: pytest.LogCaptureFixture
) -> None:
    out, _ = output(fake_api)
    news = {"msgtype": "news", "news": {"articles": [{"title": "t", "url": "https://x"}]}}
    await out.send_custom_json(f"wechat:{OPENID}", news)
    await out.send_custom_json(f"wechat:{OPENID}", {"text": "纯文本"})
    with caplog.at_level(logging.WARNING):
        await out.send_custom_json(f"wechat:{OPENID}", {"something": "else"})
    assert fake_api.sent[0]["msgtype"] == "news" and fake_api.sent[0]["touser"] == OPENID
    assert fake_api.sent[1]["text"] == {"content": "纯文本"}
    assert len(fake_api.sent) == 2 and "dropped" in caplog.text


async def test_output_channel_logs_api_errors_without_raising(
    fake_api: FakeWeChatApi, caplog: pytest.LogCaptureFixture
) -> None:
    out, _ = output(fake_api)
    fake_api.fail_next(45015)
    with caplog.at_level(logging.INFO):
        await out.send_text_message(f"wechat:{OPENID}", "客服回复")
    assert "45015" in caplog.text and "48 hours" in caplog.text
    assert OPENID not in caplog.text and "oyOR***" in caplog.text
    assert "客服回复" not in caplog.text and "TOKEN-" not in caplog.text
    assert len(fake_api.send_calls) == 1


async def test_a_reply_survives_wechat_being_busy_for_a_moment(fake_api: FakeWeChatApi) -> None:
    out, _ = output(fake_api)
    out.retry_delays = (0.01, 0.01, 0.01)
    fake_api.fail_next(-1, times=2)  # 系统繁忙
    await out.send_text_message(f"wechat:{OPENID}", "客服回复：已为您处理。")
    assert [m["text"]["content"] for m in fake_api.sent] == ["客服回复：已为您处理。"]
    assert len(fake_api.send_calls) == 3


async def test_a_long_outage_is_logged_after_the_last_try(
    fake_api: FakeWeChatApi, caplog: pytest.LogCaptureFixture
) -> None:
    out, _ = output(fake_api)
    out.retry_delays = (0.01, 0.01)
    fake_api.fail_next(-1, times=5)
    with caplog.at_level(logging.WARNING):
        await out.send_text_message(f"wechat:{OPENID}", "客服回复")
    assert fake_api.sent == [] and len(fake_api.send_calls) == 3
    assert "not delivered" in caplog.text and "客服回复" not in caplog.text


async def test_an_unreachable_wechat_is_tried_again() -> None:
    ch = channel("http://127.0.0.1:9")  # nothing listens on the discard port
    out = ch.get_output_channel()
    assert isinstance(out, WeChatOutput)
    out.retry_delays = (0.01,)
    with pytest.raises(WeChatApiError) as raised:
        await out._send_with_retries(OPENID, {"msgtype": "text", "text": {"content": "x"}})
    assert raised.value.retryable and raised.value.errcode is None


async def test_output_channel_refuses_other_channels_senders(
    fake_api: FakeWeChatApi, caplog: pytest.LogCaptureFixture
) -> None:
    out, _ = output(fake_api)
    with caplog.at_level(logging.ERROR):
        await out.send_text_message("app:C001", "hi")
        await out.send_text_message("wechat:", "hi")
    assert fake_api.send_calls == [] and "another channel" in caplog.text


async def test_late_answer_outside_the_48_hour_window_is_logged(
    fake_api: FakeWeChatApi, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.unit.channels.wechat.conftest import FakeAgent
    from tests.unit.channels.wechat.helpers import message_xml
    from tests.unit.channels.wechat.test_mp_channel import post

    ch = channel(fake_api.base_url, reply_budget=0.05)
    fake_api.fail_next(40001)  # first the token is refused: refreshed and retried ...
    fake_api.fail_next(45015)  # ... then the window has closed: logged, not retried
    with caplog.at_level(logging.WARNING):
        response = await post(ch, FakeAgent(delay=0.2), message_xml(Content="你好"))
        await ch.drain()
    assert response.text == "success"
    assert len(fake_api.send_calls) == 2 and len(fake_api.token_calls) == 2
    assert fake_api.sent == []
    assert "45015" in caplog.text and "not delivered" in caplog.text
