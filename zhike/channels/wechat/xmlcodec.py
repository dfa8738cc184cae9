"""Reading WeChat's callback XML safely and writing reply XML.

Callbacks are small flat documents (``<xml><ToUserName>…</ToUserName>…</xml>``). They
are parsed with ``defusedxml`` with DTDs, entities and external references forbidden,
so an XXE or billion-laughs body is refused with :class:`XmlError` (the channels answer
400) before anything is expanded or fetched.

Replies wrap text in CDATA; a text containing ``]]>`` is split into two CDATA sections,
and characters XML 1.0 cannot carry (most control characters) are dropped, so any bot
text produces well-formed XML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

# Characters not allowed in XML 1.0 documents, not even in CDATA.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class XmlError(Exception):
    """A body that is not a well-formed, harmless WeChat XML document.

    Attributes:
        reason: ``forbidden`` (DTD, entity or external reference: XXE, billion laughs)
            or ``malformed``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def parse_message(body: bytes | str) -> dict[str, str]:
    """The direct children of the root element as ``{tag: text}`` (empty text for none).

    Nested elements (e.g. ``ScanCodeInfo``) keep only their own text; WeChat's fields
    that matter here are all direct children.

    Raises:
        XmlError: a DTD / entity / external reference, malformed XML, or no element.
    """
    if not body or not body.strip():
        raise XmlError("malformed", "the request body is empty")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise XmlError("forbidden", f"XML with {type(exc).__name__} refused") from exc
    except (ParseError, ValueError, UnicodeError) as exc:
        raise XmlError("malformed", "the request body is not well-formed XML") from exc
    fields: dict[str, str] = {}
    for child in root:
        if isinstance(child.tag, str) and child.tag not in fields:
            fields[child.tag] = child.text or ""
    return fields


def cdata(text: str) -> str:
    """``text`` as CDATA, safe for any content (``]]>`` split, invalid characters dropped)."""
    clean = _INVALID_XML_CHARS.sub("", text)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build_xml(fields: Mapping[str, str | int] | Iterable[tuple[str, str | int]]) -> str:
    """A flat ``<xml>`` document; strings become CDATA, integers plain numbers."""
    items = fields.items() if isinstance(fields, Mapping) else fields
    parts = ["<xml>"]
    for tag, value in items:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", tag):
            raise ValueError(f"not a WeChat XML tag: {tag!r}")
        inner = str(value) if isinstance(value, int) else cdata(value)
        parts.append(f"<{tag}>{inner}</{tag}>")
    parts.append("</xml>")
    return "".join(parts)


def text_reply(to_user: str, from_user: str, create_time: int, content: str) -> str:
    """A passive text reply (``MsgType`` text) to ``to_user`` from the account ``from_user``."""
    return build_xml(
        [
            ("ToUserName", to_user),
            ("FromUserName", from_user),
            ("CreateTime", create_time),
            ("MsgType", "text"),
            ("Content", content),
        ]
    )
