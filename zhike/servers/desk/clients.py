"""Who is calling: the client address the login limits count under.

The address is the TCP peer's. Only when the peer is a trusted reverse proxy
(``ZHIKE_DESK_TRUSTED_PROXIES``: addresses or networks) is ``X-Forwarded-For`` read,
from the right: each hop a trusted proxy added is believed, the first untrusted one is
the client. Anything a client writes into the header itself is never believed. IPv6
clients count per /64 network (one subscriber's usual allocation).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from sanic.request import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
UNKNOWN = "unknown"
IPV6_PREFIX = 64


def parse_networks(raw: str | Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks, comma- or space-separated (``10.0.0.0/8, ::1``).

    Raises:
        ValueError: An entry is neither, naming it.
    """
    entries = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {entry!r}") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def bucket(address: Address) -> str:
    """The key an address counts under: the IPv4 address, or the IPv6 /64 network."""
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def client_address(peer: str, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The client's address key, from the peer and (behind trusted proxies) the header."""
    address = _address(peer or "")
    if address is None:
        return UNKNOWN
    if forwarded_for and _trusted(address, trusted):
        for hop in reversed(forwarded_for.split(",")):
            found = _address(hop)
            if found is None:
                break  # a malformed hop: the last trusted one is all that is known
            address = found
            if not _trusted(address, trusted):
                break
    return bucket(address)


def request_address(request: Request, trusted: Sequence[Network]) -> str:
    """:func:`client_address` of a Sanic request."""
    forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
    return client_address(request.ip or "", forwarded or None, trusted)
