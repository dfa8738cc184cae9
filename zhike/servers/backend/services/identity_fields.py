"""Validation of the identity inputs: channel users, phones, requesters, client addresses."""

from __future__ import annotations

import ipaddress
import re

from zhike.common.formats import normalize_mobile
from zhike.servers.backend.errors import ApiError

_CHANNEL_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
REQUESTER_MAX = 128
CHANNEL_USER_MAX = 128
ADDRESS_MAX = 64
IPV6_PREFIX = 64  # one subscriber's IPv6 network: its addresses count as one


def channel_user(channel: str, channel_user_id: str) -> tuple[str, str]:
    """The normalised ``(channel, channel_user_id)``; 400 for malformed values."""
    name = channel.strip().lower() if isinstance(channel, str) else ""
    if not _CHANNEL_RE.match(name):
        raise ApiError(400, "invalid_channel", "渠道名称格式不正确")
    user = channel_user_id.strip() if isinstance(channel_user_id, str) else ""
    if not user or len(user) > CHANNEL_USER_MAX or not user.isprintable():
        raise ApiError(400, "invalid_channel_user_id", "渠道用户标识格式不正确")
    return name, user


def mobile(raw: object) -> str:
    """The 11-digit mainland mobile number; 422 ``invalid_phone`` otherwise."""
    phone = normalize_mobile(raw) if isinstance(raw, str) else None
    if phone is None:
        raise ApiError(422, "invalid_phone", "请输入 11 位中国大陆手机号")
    return phone


def requester(raw: object) -> str:
    """The requester (``channel:sender``), 1-128 printable characters; 422 otherwise."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > REQUESTER_MAX or not text.isprintable():
        raise ApiError(422, "invalid_requester", f"requester 应为 1-{REQUESTER_MAX} 个字符")
    return text


def client_address(raw: object) -> str | None:
    """The client's IP address as counted, ``None`` when absent (null or empty).

    IPv4 addresses count as they are (an IPv4-mapped IPv6 address as its IPv4 address);
    IPv6 addresses count as their /64 network, which one subscriber usually holds whole.

    Raises:
        ApiError: 422 ``invalid_client_address`` for anything but an IP address.
    """
    if raw is None or raw == "":
        return None
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        address = ipaddress.ip_address(text) if 0 < len(text) <= ADDRESS_MAX else None
        if isinstance(address, ipaddress.IPv6Address):
            if address.ipv4_mapped is not None:
                return str(address.ipv4_mapped)
            return str(ipaddress.IPv6Network((int(address), IPV6_PREFIX), strict=False))
    except ValueError:
        address = None
    if address is None:
        raise ApiError(422, "invalid_client_address", "client_address 应为 IP 地址")
    return str(address)
