"""Who is this sender: order phone checks, channel bindings and one-time codes.

One import for the identity rules, which live in their own modules:

* :mod:`.phone_checks` -- an anonymous requester proves they know an order's phone (last
  4 digits), with wrong tries counted per requester, per order and per client address;
* :mod:`.binding_codes` -- one-time codes sent to a phone, with limits per channel user,
  per phone and overall, confirmed by request id;
* :mod:`.bindings` -- channel bindings, which expire, and ending one;
* :mod:`.identity_fields` -- validation of the inputs;
* :mod:`.throttle` -- the database counters behind every limit.
"""

from __future__ import annotations

from zhike.servers.backend.services.binding_codes import (
    CODE_DIGITS,
    CODE_MAX_TRIES,
    CODE_TTL,
    CODE_WINDOW,
    CODES_PER_WINDOW,
    IssuedCode,
    confirm_binding,
    hash_code,
    request_binding_code,
)
from zhike.servers.backend.services.bindings import (
    ActiveBinding,
    BindingLifetimes,
    get_binding,
    unbind,
)
from zhike.servers.backend.services.identity_fields import (
    CHANNEL_USER_MAX,
    REQUESTER_MAX,
    channel_user,
)
from zhike.servers.backend.services.phone_checks import (
    MAX_PHONE_TRIES,
    PHONE_LOCK,
    PhoneCheckResult,
    check_order_phone,
)

__all__ = [
    "CHANNEL_USER_MAX",
    "CODES_PER_WINDOW",
    "CODE_DIGITS",
    "CODE_MAX_TRIES",
    "CODE_TTL",
    "CODE_WINDOW",
    "MAX_PHONE_TRIES",
    "PHONE_LOCK",
    "REQUESTER_MAX",
    "ActiveBinding",
    "BindingLifetimes",
    "IssuedCode",
    "PhoneCheckResult",
    "channel_user",
    "check_order_phone",
    "confirm_binding",
    "get_binding",
    "hash_code",
    "request_binding_code",
    "unbind",
]
