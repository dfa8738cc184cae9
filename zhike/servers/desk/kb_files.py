"""Bulk import and export of the knowledge base: ``POST /import`` and ``GET /export``.

``POST /import?format=csv|yaml|xlsx&mode=merge|replace&publish=1`` takes the file as a
``multipart/form-data`` field ``file`` (its name's extension gives the format when
``format`` is absent) or as the raw body. The body is streamed and refused (413) above
``DeskSettings.max_import_body``. A bad row refuses the whole file (400 ``invalid_file``
with every bad row's ``line`` and ``reason``); nothing is imported.

``GET /export?format=csv|yaml|xlsx[&archived=1]`` answers the entries as a download
(:func:`zhike.lib.kb.io.dump`: CSV and XLSX keep the four columns, YAML every field).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from zhike.lib.kb import io as kb_io
from zhike.lib.kb.imports import MODES
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.kb_http import kb_actor, knowledge

CONTENT_TYPES = {
    kb_io.CSV: "text/csv; charset=utf-8",
    kb_io.YAML: "application/yaml; charset=utf-8",
    kb_io.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A raw body's media type -> its format (when ``format`` is not given).
MEDIA_FORMATS = {
    "text/csv": kb_io.CSV,
    "application/yaml": kb_io.YAML,
    "application/x-yaml": kb_io.YAML,
    "text/yaml": kb_io.YAML,
    CONTENT_TYPES[kb_io.XLSX]: kb_io.XLSX,
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


async def read_body(request: Request, limit: int) -> bytes:
    """The streamed request body; 413 ``payload_too_large`` beyond ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.stream.read() if request.stream else None
        if chunk is None:
            break
        size += len(chunk)
        if size > limit:
            raise DeskError(413, "payload_too_large", f"import files are limited to {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _choice(request: Request, name: str, allowed: tuple[str, ...], default: str | None) -> str:
    value = request.args.get(name) or default
    if value not in allowed:
        raise DeskError(400, f"invalid_{name}", f"{name} must be one of {', '.join(allowed)}")
    return value


def _flag(request: Request, name: str) -> bool:
    value = (request.args.get(name) or "").strip().lower()
    if value not in _TRUE | _FALSE:
        raise DeskError(400, f"invalid_{name}", f"{name} must be 1 or 0")
    return value in _TRUE


def _file(request: Request, data: bytes) -> tuple[bytes, str]:
    """The uploaded file's content and format (from ``format``, its name or media type)."""
    wanted = request.args.get("format")
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        request.body = data
        uploads = request.files.getlist("file") if request.files else None
        if not uploads:
            raise DeskError(400, "missing_file", "send the file in the form field 'file'")
        upload = uploads[0]
        fmt = wanted or kb_io.format_of(upload.name or "")
        return upload.body, _checked_format(fmt)
    fmt = wanted or MEDIA_FORMATS.get(media)
    if fmt is None:
        raise DeskError(400, "invalid_format", "give format=csv, yaml or xlsx")
    return data, _checked_format(fmt)


def _checked_format(fmt: str) -> str:
    if fmt not in kb_io.FORMATS:
        raise DeskError(400, "invalid_format", f"format must be one of {', '.join(kb_io.FORMATS)}")
    return fmt


def kb_files_blueprint() -> Blueprint:
    """``POST /import`` (streamed) and ``GET /export``."""
    bp = Blueprint("kb_files")

    @bp.post("/import", stream=True)
    async def import_file(request: Request) -> HTTPResponse:
        desk: DeskContext = request.app.ctx.desk
        mode = _choice(request, "mode", MODES, MODES[0])
        publish = _flag(request, "publish")
        kb, actor = knowledge(request), kb_actor(request)
        data = await read_body(request, desk.settings.max_import_body)
        content, fmt = _file(request, data)
        items = await asyncio.to_thread(kb_io.parse, content, fmt)  # bad rows: 400, by line
        report = await kb.import_entries(items, mode=mode, actor=actor, publish=publish)
        return json_response({"entries": len(items), "report": asdict(report)})

    @bp.get("/export")
    async def export(request: Request) -> HTTPResponse:
        fmt = _choice(request, "format", kb_io.FORMATS, kb_io.CSV)
        entries = await knowledge(request).all_entries(include_archived=_flag(request, "archived"))
        body = await asyncio.to_thread(kb_io.dump, entries, fmt)
        name = f"zhike-kb.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return raw(body, content_type=CONTENT_TYPES[fmt], headers=headers)

    return bp
