"""Phone checks, channel bindings and one-time codes on the real backend.

Codes are read from the test-only record of sent codes (``GET /__sent_codes``, mounted with
ZHIKE_BACKEND_FAULTS=1) of the keyed backend, and from the log of the dev-mode backend.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from .backend_process import BackendProcess
from .rest import Api, error_of

pytestmark = pytest.mark.integration

ZHANG = "13800138001"
LI = "13900139002"


def check(api: Api, order_id: str, last4: str, requester: str = "web:alice") -> dict[str, object]:
    return api.ok(
        "POST", f"/orders/{order_id}/phone-checks", {"last4": last4, "requester": requester}
    )


def test_right_digits_verify(api: Api) -> None:
    assert check(api, "HP20240001", "8001") == {
        "verified": True,
        "attempts_left": 5,
        "locked_until": None,
    }
    assert check(api, "hp20240005", "9002")["verified"] is True


def test_five_wrong_tries_lock_the_order_for_that_requester(api: Api) -> None:
    answers = [check(api, "HP20240001", "0000") for _ in range(4)]
    assert [a["attempts_left"] for a in answers] == [4, 3, 2, 1]
    assert all(a["verified"] is False and a["locked_until"] is None for a in answers)
    locked = check(api, "HP20240001", "1111")
    assert locked["verified"] is False and locked["attempts_left"] == 0
    until = datetime.fromisoformat(str(locked["locked_until"]))
    now = datetime.now(timezone.utc)
    assert timedelta(minutes=14) < until - now <= timedelta(minutes=15)
    # while locked even the right digits are refused, and the lock does not move
    assert check(api, "HP20240001", "8001") == locked
    # another requester, or another order, is not affected
    assert check(api, "HP20240001", "8001", requester="wechat:bob")["verified"] is True
    assert check(api, "HP20240002", "8001")["verified"] is True


def test_a_right_answer_clears_the_count(api: Api) -> None:
    for _ in range(3):
        check(api, "HP20240003", "0000")
    assert check(api, "HP20240003", "8001")["attempts_left"] == 5
    assert check(api, "HP20240003", "0000")["attempts_left"] == 4


def test_unknown_order_is_a_wrong_try(api: Api) -> None:
    answers = [check(api, "HP20249999", "8001") for _ in range(5)]
    assert [a["attempts_left"] for a in answers] == [4, 3, 2, 1, 0]
    assert answers[-1]["locked_until"] is not None
    assert answers[0] == check_shape(api)


def check_shape(api: Api) -> dict[str, object]:
    """A first wrong try on an existing order looks exactly like one on an unknown order."""
    return check(api, "HP20240005", "0000", requester="web:fresh")


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/orders/HP20240001/phone-checks", {"last4": "801", "requester": "a"}, "invalid_last4"),
        ("/orders/HP20240001/phone-checks", {"last4": "80O1", "requester": "a"}, "invalid_last4"),
        ("/orders/HP20240001/phone-checks", {"last4": 8001, "requester": "a"}, "invalid_last4"),
        ("/orders/HP20240001/phone-checks", {"last4": "8001"}, "invalid_requester"),
        (
            "/orders/HP20240001/phone-checks",
            {"last4": "8001", "requester": "x" * 129},
            "invalid_requester",
        ),
    ],
)
def test_phone_check_refusals(api: Api, path: str, body: object, expected: str) -> None:
    assert error_of(api.post(path, body)) == (422, expected)
    assert error_of(api.post("/orders/HP1/phone-checks", {"last4": "8001", "requester": "a"})) == (
        400,
        "invalid_order_id",
    )


def code_request(api: Api, phone: str, user: str = "o-zhang", channel: str = "wechat") -> int:
    body = {"phone": phone, "channel": channel, "channel_user_id": user}
    response = api.post("/bindings/codes", body)
    if response.status_code == 202:
        assert set(response.json()) == {"request_id", "expires_at"}
    return response.status_code


def confirm(
    api: Api, phone: str, code: str, user: str = "o-zhang"
) -> tuple[int, dict[str, object]]:
    body = {"phone": phone, "code": code, "channel": "wechat", "channel_user_id": user}
    response = api.post("/bindings", body)
    return response.status_code, response.json()


def test_binding_with_a_one_time_code(api: Api, backend: BackendProcess) -> None:
    assert error_of(api.get("/bindings/wechat/o-zhang")) == (404, "not_found")
    assert code_request(api, "138-0013-8001") == 202
    [code] = api.codes(ZHANG)
    assert re.fullmatch(r"\d{6}", code)
    wrong = "000000" if code != "000000" else "111111"
    status, body = confirm(api, ZHANG, wrong)
    assert (status, body["error"]["code"]) == (422, "invalid_code")  # type: ignore[index]
    assert confirm(api, ZHANG, code) == (201, {"customer_id": "C001"})
    assert api.ok("GET", "/bindings/wechat/o-zhang")["customer_id"] == "C001"
    assert api.ok("GET", "/bindings/WeChat/o-zhang")["customer_id"] == "C001"
    # single use
    assert confirm(api, ZHANG, code)[0] == 422
    # keyed (not dev) mode: the log shows the masked phone, never the code
    log = backend.log()
    assert "138****8001" in log and code not in log and ZHANG not in log


def test_rebinding_moves_the_channel_user(api: Api) -> None:
    code_request(api, ZHANG)
    assert confirm(api, ZHANG, api.codes(ZHANG)[-1])[0] == 201
    code_request(api, LI)
    assert confirm(api, LI, api.codes(LI)[-1]) == (201, {"customer_id": "C002"})
    assert api.ok("GET", "/bindings/wechat/o-zhang")["customer_id"] == "C002"


def test_five_wrong_codes_void_the_code(api: Api) -> None:
    code_request(api, ZHANG)
    [code] = api.codes(ZHANG)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert confirm(api, ZHANG, wrong)[0] == 422
    status, body = confirm(api, ZHANG, code)
    assert status == 422 and body["error"]["code"] == "invalid_code"  # type: ignore[index]
    assert error_of(api.get("/bindings/wechat/o-zhang")) == (404, "not_found")


def test_a_new_code_voids_the_previous_one(api: Api) -> None:
    code_request(api, ZHANG)
    code_request(api, LI)  # the same channel user, now for another phone
    [first], [second] = api.codes(ZHANG), api.codes(LI)
    assert confirm(api, ZHANG, first)[0] == 422
    assert confirm(api, LI, second) == (201, {"customer_id": "C002"})


def test_code_for_another_phone_or_user_does_not_bind(api: Api) -> None:
    code_request(api, ZHANG)
    [code] = api.codes(ZHANG)
    assert confirm(api, LI, code)[0] == 422  # the code was sent to another phone
    assert confirm(api, ZHANG, code, user="o-mallory")[0] == 422  # and to another user
    assert confirm(api, ZHANG, code) == (201, {"customer_id": "C001"})


def test_at_most_three_codes_per_channel_user_in_ten_minutes(api: Api) -> None:
    phones = [ZHANG, LI, "13700000000"]
    assert [code_request(api, phone) for phone in phones] == [202, 202, 202]
    response = api.post(
        "/bindings/codes",
        {"phone": "13600000000", "channel": "wechat", "channel_user_id": "o-zhang"},
    )
    assert error_of(response) == (429, "too_many_codes")
    assert 0 < int(response.headers["Retry-After"]) <= 600
    assert code_request(api, "13600000000", user="o-other") == 202  # another channel user may


def test_unknown_phone_gets_the_same_answer_and_no_code(api: Api) -> None:
    unknown = "13700000000"
    known = [code_request(api, ZHANG, user="o-known") for _ in range(2)]
    assert [code_request(api, unknown, user="o-probe") for _ in range(2)] == known == [202, 429]
    assert api.codes(unknown) == []
    assert confirm(api, unknown, "123456", user="o-probe")[0] == 422


@pytest.mark.parametrize("phone", ["12345", "23800138001", "1380013800a", "", None])
def test_invalid_phone(api: Api, phone: object) -> None:
    body = {"phone": phone, "channel": "wechat", "channel_user_id": "o1"}
    assert error_of(api.post("/bindings/codes", body)) == (422, "invalid_phone")
    body["code"] = "123456"
    # confirming needs no phone (the backend knows it): an empty one is just absent
    expected = "invalid_code" if phone in ("", None) else "invalid_phone"
    assert error_of(api.post("/bindings", body)) == (422, expected)


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", 123456, None])
def test_malformed_code_is_invalid(api: Api, code: object) -> None:
    body = {"phone": ZHANG, "code": code, "channel": "wechat", "channel_user_id": "o1"}
    assert error_of(api.post("/bindings", body)) == (422, "invalid_code")


def test_malformed_channel_values(api: Api) -> None:
    body = {"phone": ZHANG, "channel": "we chat", "channel_user_id": "o1"}
    assert error_of(api.post("/bindings/codes", body)) == (400, "invalid_channel")
    body = {"phone": ZHANG, "channel": "wechat", "channel_user_id": ""}
    assert error_of(api.post("/bindings/codes", body)) == (400, "invalid_channel_user_id")
    assert error_of(api.get(f"/bindings/wechat/{'x' * 129}")) == (400, "invalid_channel_user_id")


def test_dev_mode_logs_the_code(dev_backend: BackendProcess) -> None:
    with Api(dev_backend.base_url, None) as dev:
        user = "dev-user-1"
        assert code_request(dev, LI, user=user) == 202
        found = re.findall(
            r"One-time code for 139\*\*\*\*9002 \(wechat:dev-user-1\): (\d{6})", dev_backend.log()
        )
        assert len(found) == 1, dev_backend.log()
        assert confirm(dev, LI, found[0], user=user) == (201, {"customer_id": "C002"})
        assert dev.ok("GET", f"/bindings/wechat/{user}")["customer_id"] == "C002"
        assert LI not in dev_backend.log()
