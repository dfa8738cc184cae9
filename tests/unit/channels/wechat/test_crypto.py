"""WXBizMsgCrypt against Tencent's published sample vectors, and the XML codec."""

from __future__ import annotations

import pytest

from zhike.channels.wechat.crypto import (
    CryptoError,
    MessageCrypt,
    decode_aes_key,
    signature,
    signature_matches,
)
from zhike.channels.wechat.xmlcodec import XmlError, build_xml, cdata, parse_message, text_reply

# --- WeCom (企业微信) vectors -------------------------------------------------------------
# From Tencent's WeCom callback encryption sample code (WXBizMsgCrypt, Sample.cs / Sample.py
# "使用示例一：验证回调URL" and "使用示例二：对用户回复的消息解密"), reproduced in the WeCom
# developer documentation "加解密方案说明" (https://developer.work.weixin.qq.com/document/
# path/90968), which also gives the decrypted plaintext of the POST example below.
WECOM_TOKEN = "QDG6eK"
WECOM_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
WECOM_CORPID = "wx5823bf96d3bd56c7"
# GET /cgi-bin/wxpush?msg_signature=5c45ff5e…&timestamp=1409659589&nonce=263014780&echostr=…
WECOM_VERIFY_SIG = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
WECOM_VERIFY_TS = "1409659589"
WECOM_VERIFY_NONCE = "263014780"
WECOM_VERIFY_ECHOSTR = (
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
)
# POST /cgi-bin/wxpush?msg_signature=477715d1…&timestamp=1409659813&nonce=1372623149
WECOM_MSG_SIG = "477715d11cdb4164915debcba66cb864d751f3e6"
WECOM_MSG_TS = "1409659813"
WECOM_MSG_NONCE = "1372623149"
WECOM_MSG_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3"
    "QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48"
    "kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izo"
    "un1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUa"
    "x5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl"
    "/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)

# --- 公众号 (official account) vectors ---------------------------------------------------
# From Tencent's 公众平台 message encryption sample code (WXBizMsgCrypt Python sample,
# Sample.py by jonyqin, 2014: "测试解密接口"), mirrored e.g. in github.com/charlesXu86/
# Chatbot_CN Chatbot_Web/impl/weixin/Sample.py.
MP_TOKEN = "spamtest"
MP_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
MP_APPID = "wx2c2769f8efd9abc2"
MP_TS = "1409735669"
MP_NONCE = "1320562132"
MP_MSG_SIG = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
MP_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmB"
    "M4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyy"
    "Xwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrC"
    "VKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD"
    "1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9G"
    "hglF2PE="
)


def test_wecom_url_verification_vector() -> None:
    crypt = MessageCrypt(WECOM_TOKEN, WECOM_AES_KEY, WECOM_CORPID)
    assert crypt.signature(WECOM_VERIFY_TS, WECOM_VERIFY_NONCE, WECOM_VERIFY_ECHOSTR) == (
        WECOM_VERIFY_SIG
    )
    assert crypt.verify(WECOM_VERIFY_SIG, WECOM_VERIFY_TS, WECOM_VERIFY_NONCE, WECOM_VERIFY_ECHOSTR)
    assert crypt.decrypt(WECOM_VERIFY_ECHOSTR) == "1616140317555161061"


def test_wecom_message_vector() -> None:
    crypt = MessageCrypt(WECOM_TOKEN, WECOM_AES_KEY, WECOM_CORPID)
    assert crypt.verify(WECOM_MSG_SIG, WECOM_MSG_TS, WECOM_MSG_NONCE, WECOM_MSG_ENCRYPT)
    plaintext = crypt.decrypt(WECOM_MSG_ENCRYPT)
    assert plaintext == (
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
        "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
        "<CreateTime>1409659813</CreateTime>\n"
        "<MsgType><![CDATA[text]]></MsgType>\n"
        "<Content><![CDATA[hello]]></Content>\n"
        "<MsgId>4561255354251345929</MsgId>\n"
        "<AgentID>218</AgentID>\n"
        "</xml>"
    )
    assert parse_message(plaintext)["Content"] == "hello"


def test_mp_message_vector() -> None:
    crypt = MessageCrypt(MP_TOKEN, MP_AES_KEY, MP_APPID)
    assert signature(MP_TOKEN, MP_TS, MP_NONCE, MP_ENCRYPT) == MP_MSG_SIG
    assert crypt.verify(MP_MSG_SIG, MP_TS, MP_NONCE, MP_ENCRYPT)
    fields = parse_message(crypt.decrypt(MP_ENCRYPT))
    assert fields == {
        "ToUserName": "gh_10f6c3c3ac5a",
        "FromUserName": "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        "CreateTime": "1409735668",
        "MsgType": "text",
        "Content": "abcdteT",
        "MsgId": "6054768590064713728",
    }


def test_vectors_refuse_another_receiver_and_tampering() -> None:
    with pytest.raises(CryptoError) as exc:
        MessageCrypt(MP_TOKEN, MP_AES_KEY, "wx0000000000000000").decrypt(MP_ENCRYPT)
    assert exc.value.reason == "wrong_receive_id"
    crypt = MessageCrypt(MP_TOKEN, MP_AES_KEY, MP_APPID)
    assert not crypt.verify(MP_MSG_SIG, MP_TS, MP_NONCE, MP_ENCRYPT[:-8] + "AAAAAAA=")
    assert not crypt.verify(MP_MSG_SIG, str(int(MP_TS) + 1), MP_NONCE, MP_ENCRYPT)
    assert not MessageCrypt("other", MP_AES_KEY, MP_APPID).verify(
        MP_MSG_SIG, MP_TS, MP_NONCE, MP_ENCRYPT
    )


def test_plain_signature_is_sha1_of_the_sorted_parts() -> None:
    import hashlib

    expected = hashlib.sha1(b"".join(sorted([b"spamtest", b"1409735669", b"1320562132"])))
    assert signature(MP_TOKEN, MP_TS, MP_NONCE) == expected.hexdigest()
    assert signature_matches(expected.hexdigest(), expected.hexdigest().upper())
    assert not signature_matches(expected.hexdigest(), None)
    assert not signature_matches(expected.hexdigest(), "")
    assert not signature_matches(expected.hexdigest(), "签名")


@pytest.mark.parametrize(
    "message", ["", "hello", "中文消息，按字节计长度", "x" * 31, "y" * 32, "z" * 1000]
)
def test_round_trip(message: str) -> None:
    crypt = MessageCrypt(WECOM_TOKEN, WECOM_AES_KEY, WECOM_CORPID)
    encrypted = crypt.encrypt(message)
    assert crypt.decrypt(encrypted) == message
    assert crypt.encrypt(message) != encrypted  # a fresh random prefix every time


def test_encrypt_is_deterministic_for_a_given_prefix_and_pads_to_32_bytes() -> None:
    import base64

    crypt = MessageCrypt(MP_TOKEN, MP_AES_KEY, MP_APPID)
    one = crypt.encrypt("abc", random_prefix=b"0123456789abcdef")
    assert one == crypt.encrypt("abc", random_prefix=b"0123456789abcdef")
    assert len(base64.b64decode(one)) % 32 == 0
    with pytest.raises(ValueError):
        crypt.encrypt("abc", random_prefix=b"short")


def test_encrypted_reply_fields_verify() -> None:
    crypt = MessageCrypt(MP_TOKEN, MP_AES_KEY, MP_APPID)
    reply = crypt.encrypt_reply("<xml/>", "1409735669", "nonce1")
    assert reply["TimeStamp"] == "1409735669" and reply["Nonce"] == "nonce1"
    assert crypt.verify(reply["MsgSignature"], "1409735669", "nonce1", reply["Encrypt"])
    assert crypt.decrypt(reply["Encrypt"]) == "<xml/>"


@pytest.mark.parametrize(
    ("encrypted", "reason"),
    [
        ("not base64!!", "bad_base64"),
        ("", "bad_length"),
        ("QUJD", "bad_length"),  # 3 bytes
        ("A" * 43 + "=", "bad_padding"),  # 32 zero bytes decrypt to garbage
    ],
)
def test_garbage_is_refused(encrypted: str, reason: str) -> None:
    with pytest.raises(CryptoError) as exc:
        MessageCrypt(MP_TOKEN, MP_AES_KEY, MP_APPID).decrypt(encrypted)
    assert exc.value.reason == reason


def _raw_encrypt(plain: bytes) -> str:
    import base64

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = decode_aes_key(MP_AES_KEY)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


@pytest.mark.parametrize(
    ("plain", "reason"),
    [
        (b"r" * 16 + b"\x00\x00\x00\x05hello" + MP_APPID.encode() + b"\x21" * 5, "bad_padding"),
        (b"r" * 16 + b"\x00\x00\x01\x00hello" + MP_APPID.encode() + b"\x05" * 5, "bad_plaintext"),
        (b"r" * 16 + b"\x00\x00" + b"\x0e" * 14, "bad_plaintext"),
        (b"r" * 16 + b"\x00\x00\x00\x02\xff\xfe" + MP_APPID.encode() + b"\x08" * 8, "not_utf8"),
    ],
    ids=["pad-over-32", "length-too-long", "too-short", "not-utf8"],
)
def test_bad_plaintexts_are_refused(plain: bytes, reason: str) -> None:
    assert len(plain) % 16 == 0
    with pytest.raises(CryptoError) as exc:
        MessageCrypt(MP_TOKEN, MP_AES_KEY, MP_APPID).decrypt(_raw_encrypt(plain))
    assert exc.value.reason == reason


@pytest.mark.parametrize("key", ["", "short", MP_AES_KEY + "A", "!" * 43])
def test_malformed_aes_keys(key: str) -> None:
    with pytest.raises(ValueError):
        decode_aes_key(key)


# --- XML ------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xml><Content>&lol3;</Content></xml>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><Content>&xxe;</Content></xml>"""
DOCTYPE_ONLY = b'<!DOCTYPE xml SYSTEM "http://example.invalid/x.dtd"><xml><A>1</A></xml>'


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, DOCTYPE_ONLY], ids=["lol", "xxe", "dtd"])
def test_hostile_xml_is_forbidden(body: bytes) -> None:
    with pytest.raises(XmlError) as exc:
        parse_message(body)
    assert exc.value.reason == "forbidden"


@pytest.mark.parametrize("body", [b"", b"  ", b"<xml>", b"not xml", b"\xff\xfe\x00", b"<a></b>"])
def test_malformed_xml(body: bytes) -> None:
    with pytest.raises(XmlError) as exc:
        parse_message(body)
    assert exc.value.reason == "malformed"


def test_reply_xml_is_valid_for_any_text() -> None:
    text = "a]]>b ]]]]> <c>&amp; \x00\x07 😀 中文"
    reply = text_reply("openid", "gh_x", 123, text)
    fields = parse_message(reply)
    assert fields["Content"] == "a]]>b ]]]]> <c>&amp;  😀 中文"
    assert fields["CreateTime"] == "123" and fields["MsgType"] == "text"
    assert cdata("]]>") == "<![CDATA[]]]]><![CDATA[>]]>"
    with pytest.raises(ValueError):
        build_xml({"bad tag": "x"})
