r"""One strict reader of JSON request bodies, shared by every zhike server.

:func:`parse_json` accepts only UTF-8, well-formed JSON without ``NaN``/``Infinity``,
nested at most ``max_depth`` levels (the top-level object or array is level 1; the
nesting is measured on the text before it is parsed, so no body can make the parser
recurse deeply), optionally only an object, and — unless told otherwise — with no NUL
character (a JSON ``\u0000`` escape; a raw one is not JSON at all) or lone UTF-16
surrogate (a ``\ud800`` escape) in any string or key, since no database or page can take
them. Anything else raises :class:`JsonBodyError`, whose
``kind`` each server maps to its own error answer (codes and wording stay the server's).
"""

from __future__ import annotations

import json
from typing import Any, Literal

Kind = Literal["encoding", "syntax", "depth", "characters", "not_object"]
JSON_MEDIA_TYPE = "application/json"
_CHARSETS = frozenset({"utf-8", "utf8"})


class JsonBodyError(ValueError):
    """A request body refused by :func:`parse_json`.

    Attributes:
        kind: what is wrong: ``encoding`` (not UTF-8), ``syntax`` (not JSON),
            ``depth`` (nested too deeply), ``characters`` (NUL or a lone surrogate),
            ``not_object`` (a JSON value other than an object where one is required).
        message: a short English explanation that never quotes the body.
    """

    def __init__(self, kind: Kind, message: str) -> None:
        super().__init__(message)
        self.kind: Kind = kind
        self.message = message


def is_json_media_type(content_type: str | None) -> bool:
    """Whether a Content-Type is ``application/json``, with no charset but UTF-8."""
    media, _, parameters = (content_type or "").partition(";")
    if media.strip().lower() != JSON_MEDIA_TYPE:
        return False
    for parameter in filter(None, (p.strip() for p in parameters.split(";"))):
        name, _, raw = parameter.partition("=")
        if name.strip().lower() == "charset" and raw.strip().strip('"').lower() not in _CHARSETS:
            return False
    return True


def parse_json(
    body: bytes,
    max_depth: int,
    *,
    require_object: bool = False,
    check_strings: bool = True,
) -> Any:
    """The JSON value of ``body`` after the checks of the module docstring.

    Args:
        body: the raw request body.
        max_depth: the deepest nesting accepted (levels of objects and arrays).
        require_object: refuse any top-level value but an object.
        check_strings: refuse NUL characters and lone surrogates in strings and keys.

    Raises:
        JsonBodyError: what is wrong (see :class:`JsonBodyError`).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonBodyError("encoding", "the request body is not UTF-8") from None
    if nesting(text) > max_depth:
        raise JsonBodyError("depth", f"the JSON is nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # JSONDecodeError, and integers too long to convert
        raise JsonBodyError("syntax", "the request body is not valid JSON") from None
    if require_object and not isinstance(value, dict):
        raise JsonBodyError("not_object", "the request body must be a JSON object")
    if check_strings:
        problem = value_problem(value, max_depth)
        if problem is not None:
            raise JsonBodyError("characters", problem)
    return value


def nesting(text: str) -> int:
    """The deepest bracket nesting outside JSON strings (an upper bound of the JSON's depth)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def value_problem(value: Any, max_depth: int) -> str | None:
    """What makes a parsed JSON value unfit to store (``None``: nothing).

    A string or key with a NUL character or a lone UTF-16 surrogate, or objects and
    arrays nested deeper than ``max_depth`` levels. Walks without recursion.
    """
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                return f"nested deeper than {max_depth} levels"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            if "\x00" in item:
                return "a string contains a NUL character"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "a string contains a lone UTF-16 surrogate"
    return None


def _reject_constant(name: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity`` are not JSON."""
    raise ValueError(f"{name} is not JSON")
