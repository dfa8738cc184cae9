"""App login tokens: HS256 only, with the shared secret, a customer subject and an expiry."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from zhike.lib.identity.tokens import (
    AppToken,
    ExpiredToken,
    InvalidToken,
    MissingToken,
    TokenError,
    bearer_token,
    check_secret,
    verify_app_token,
)

SECRET = "app-secret-" + "x" * 32
NOW = 1_718_000_000


def _token(claims: dict | None = None, key: str = SECRET, algorithm: str = "HS256", **kw) -> str:
    payload = {"sub": "C001", "exp": NOW + 600, "iat": NOW - 5}
    payload.update(claims or {})
    payload.update(kw)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_valid_token_gives_the_customer() -> None:
    assert verify_app_token(_token(), SECRET, NOW) == AppToken("C001", float(NOW + 600))


def test_subject_is_normalised() -> None:
    assert verify_app_token(_token(sub="c002"), SECRET, NOW).customer_id == "C002"


@pytest.mark.parametrize("sub", ["", "admin", "C", "C12", "HP20240001", "C001 OR 1=1", 1])
def test_subject_must_be_a_customer_id(sub: object) -> None:
    with pytest.raises(InvalidToken):
        verify_app_token(_token(sub=sub), SECRET, NOW)


def test_forged_signature_is_invalid() -> None:
    with pytest.raises(InvalidToken):
        verify_app_token(_token(key="another-secret-" + "y" * 32), SECRET, NOW)


def test_tampered_payload_is_invalid() -> None:
    header, _, signature = _token().split(".")
    forged = ".".join([header, _b64({"sub": "C002", "exp": NOW + 600}), signature])
    with pytest.raises(InvalidToken):
        verify_app_token(forged, SECRET, NOW)


def test_alg_none_is_refused() -> None:
    unsigned = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64({"sub": "C001", "exp": NOW + 9})
    for token in (unsigned + ".", unsigned):
        with pytest.raises(InvalidToken):
            verify_app_token(token, SECRET, NOW)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("key", [SECRET, "another-secret-" + "y" * 64])
def test_other_hmac_algorithms_are_refused(key: str) -> None:
    # Pinned to HS256: even a correctly keyed HS512 token is refused.
    with pytest.raises(InvalidToken):
        verify_app_token(_token(key=key, algorithm="HS512"), SECRET, NOW)


def test_expired_token() -> None:
    token = _token(exp=NOW - 100)
    with pytest.raises(ExpiredToken):
        verify_app_token(token, SECRET, NOW)
    with pytest.raises(ExpiredToken):
        verify_app_token(_token(exp=NOW - 31), SECRET, NOW)


def test_leeway_tolerates_small_clock_skew() -> None:
    assert verify_app_token(_token(exp=NOW - 29), SECRET, NOW).customer_id == "C001"
    assert verify_app_token(_token(nbf=NOW + 29, iat=NOW + 29), SECRET, NOW).customer_id
    with pytest.raises(ExpiredToken):
        verify_app_token(_token(exp=NOW - 5), SECRET, NOW, leeway=0)


def test_expired_forgery_is_invalid_not_expired() -> None:
    with pytest.raises(InvalidToken):
        verify_app_token(_token(exp=NOW - 100, key="z" * 40), SECRET, NOW)


@pytest.mark.parametrize("claim", ["exp", "sub"])
def test_required_claims(claim: str) -> None:
    with pytest.raises(InvalidToken):
        verify_app_token(_token({claim: None}), SECRET, NOW)


@pytest.mark.parametrize(
    "claims",
    [{"exp": "tomorrow"}, {"exp": True}, {"nbf": "soon"}, {"iat": [1]}],
)
def test_time_claims_must_be_numbers(claims: dict) -> None:
    with pytest.raises(InvalidToken):
        verify_app_token(_token(claims), SECRET, NOW)


@pytest.mark.parametrize("claims", [{"nbf": NOW + 120}, {"iat": NOW + 120}])
def test_not_yet_valid_tokens_are_invalid(claims: dict) -> None:
    with pytest.raises(InvalidToken):
        verify_app_token(_token(claims), SECRET, NOW)


def test_iat_and_nbf_are_optional() -> None:
    assert verify_app_token(_token(iat=None), SECRET, NOW).customer_id == "C001"


def test_audience_and_issuer() -> None:
    token = _token(aud="zhike", iss="company-app")
    assert verify_app_token(token, SECRET, NOW, audience="zhike", issuer="company-app")
    with pytest.raises(InvalidToken):  # made for some audience, none configured
        verify_app_token(token, SECRET, NOW)
    with pytest.raises(InvalidToken):
        verify_app_token(_token(aud="shop"), SECRET, NOW, audience="zhike")
    with pytest.raises(InvalidToken):
        verify_app_token(_token(), SECRET, NOW, issuer="company-app")


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "é.é.é"])
def test_garbage(token: str) -> None:
    with pytest.raises((InvalidToken, MissingToken)):
        verify_app_token(token, SECRET, NOW)


@pytest.mark.parametrize("secret", [None, "", "short", b"x" * 31])
def test_missing_or_short_secret_is_a_configuration_error(secret: object) -> None:
    with pytest.raises(ValueError):
        verify_app_token(_token(), secret, NOW)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        check_secret(secret)  # type: ignore[arg-type]


def test_error_codes() -> None:
    assert issubclass(MissingToken, TokenError) and MissingToken.code == "missing_token"
    assert issubclass(ExpiredToken, TokenError) and ExpiredToken.code == "token_expired"
    assert issubclass(InvalidToken, TokenError) and InvalidToken.code == "invalid_token"


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer  tok ", "tok"), (" BEARER t", "t")],
)
def test_bearer_token(header: str, token: str) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "tok"])
def test_bearer_token_missing(header: str | None) -> None:
    with pytest.raises(MissingToken):
        bearer_token(header)
