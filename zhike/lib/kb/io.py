"""Import and export files: CSV, YAML and Excel (.xlsx), with line-numbered errors.

- CSV (fixed form): UTF-8 (a BOM is tolerated), header ``question,answer,similar,category``
  (``similar`` and ``category`` may be left out), similar questions joined by ``||``.
- YAML: a list of entries (or ``{entries: [...]}``) with the fields of
  :class:`~zhike.lib.kb.domain.EntryDraft` plus an optional ``status``.
- XLSX: the first sheet, the same columns as CSV, the header in row 1.

:func:`parse` reads every row and raises :class:`~zhike.lib.kb.errors.ImportFileError`
listing every bad row with its line (the CSV/YAML line or the sheet row) and reason, so a
caller imports nothing from a bad file. A question on two rows is such an error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from zhike.lib.kb.domain import Entry, ImportItem
from zhike.lib.kb.errors import ImportFileError, InvalidEntry, KbError, LineError
from zhike.lib.kb.validation import SIMILAR_SEPARATOR, draft_from_mapping, duplicate_errors

CSV = "csv"
YAML = "yaml"
XLSX = "xlsx"
FORMATS = (CSV, YAML, XLSX)
_EXTENSIONS = {".csv": CSV, ".yaml": YAML, ".yml": YAML, ".xlsx": XLSX}
COLUMNS = ("question", "answer", "similar", "category")
REQUIRED_COLUMNS = ("question", "answer")
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ERRORS = 100
_BOM = b"\xef\xbb\xbf"
_BROKEN = "\x00broken"  # a row the reader could not split into fields: why


def format_of(name: str | Path) -> str:
    """The format a file name's extension stands for (400 for any other)."""
    suffix = Path(name).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise InvalidEntry(f"unknown file type {suffix or name!s}: use .csv, .yaml, .yml or .xlsx")
    return _EXTENSIONS[suffix]


def parse_file(path: str | Path) -> tuple[ImportItem, ...]:
    """The entries of a file, its format taken from the extension."""
    fmt = format_of(path)
    return parse(Path(path).read_bytes(), fmt)


def parse(data: bytes, fmt: str) -> tuple[ImportItem, ...]:
    """The entries of a file's content.

    Raises:
        ImportFileError: every bad row (up to 100) with its line; or the whole file.
    """
    if fmt not in FORMATS:
        raise InvalidEntry(f"format must be one of {', '.join(FORMATS)}", field="format")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError([LineError(None, f"the file is larger than {_mb()} MB")])
    rows = {CSV: _csv_rows, YAML: _yaml_rows, XLSX: _xlsx_rows}[fmt](data)
    items: list[ImportItem] = []
    errors: list[LineError] = []
    for line, fields, field_lines in rows:
        if len(items) >= MAX_ROWS:
            raise ImportFileError([LineError(line, f"more than {MAX_ROWS} entries in one file")])
        if isinstance(fields, Mapping) and _BROKEN in fields:
            errors.append(LineError(line, fields[_BROKEN]))
            continue
        try:
            draft, status = draft_from_mapping(fields)
        except KbError as error:
            where = field_lines.get(error.field or "", line)
            errors.append(LineError(where, error.message))
            if len(errors) >= MAX_ERRORS:
                break
            continue
        items.append(ImportItem(line, draft, status))
    if not errors and not items:
        errors.append(LineError(None, "the file has no entries"))
    errors += duplicate_errors(items, MAX_ERRORS - len(errors))
    if errors:
        raise ImportFileError(sorted(errors, key=lambda e: e.line or 0))
    return tuple(items)


def _mb() -> int:
    return MAX_FILE_BYTES // (1024 * 1024)


Row = tuple[int, Mapping[str, Any], Mapping[str, int]]


def _text(data: bytes) -> str:
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        reason = "not UTF-8 text (save the file as UTF-8, e.g. Excel's 'CSV UTF-8')"
        raise ImportFileError([LineError(line, reason)]) from None


def _header(names: Sequence[str], line: int) -> list[str]:
    header = [name.strip().lower() for name in names]
    expected = ",".join(COLUMNS)
    for name in header:
        if name not in COLUMNS:
            reason = f"unknown column {name!r}: the header must be {expected}"
            raise ImportFileError([LineError(line, reason)])
        if header.count(name) > 1:
            raise ImportFileError([LineError(line, f"column {name!r} appears twice")])
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        reason = f"column {missing[0]!r} is missing: the header must be {expected}"
        raise ImportFileError([LineError(line, reason)])
    return header


def _csv_rows(data: bytes) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(_text(data), newline=""), strict=True)
    header: list[str] | None = None
    end = 0
    try:
        for record in reader:
            line, end = end + 1, reader.line_num
            if not any(field.strip() for field in record):
                continue
            if header is None:
                header = _header(record, line)
                continue
            if len(record) != len(header):
                reason = (
                    f"expected {len(header)} fields, found {len(record)} "
                    "(put a field that contains a comma in double quotes)"
                )
                yield line, {_BROKEN: reason}, {}
                continue
            yield line, dict(zip(header, record, strict=True)), {}
    except csv.Error as error:
        raise ImportFileError([LineError(reader.line_num, f"malformed CSV: {error}")]) from None
    if header is None:
        raise ImportFileError([LineError(None, "the file is empty: no header")])


def _yaml_rows(data: bytes) -> Iterator[Row]:
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(_text(data))
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else None
            raise ImportFileError([LineError(line, f"malformed YAML: {error.problem}")]) from None
        except yaml.YAMLError as error:
            raise ImportFileError([LineError(None, f"malformed YAML: {error}")]) from None
        if isinstance(root, yaml.MappingNode):
            root = next((value for key, value in root.value if key.value == "entries"), None)
        if not isinstance(root, yaml.SequenceNode):
            reason = "the file must be a list of entries (or entries: [...])"
            raise ImportFileError([LineError(1, reason)])
        for node in root.value:
            line = node.start_mark.line + 1
            try:
                value = loader.construct_object(node, deep=True)
            except yaml.YAMLError as error:
                yield line, {_BROKEN: f"malformed YAML: {error}"}, {}
                continue
            field_lines: dict[str, int] = {}
            if isinstance(node, yaml.MappingNode):
                for key, _ in node.value:
                    field_lines[str(key.value)] = key.start_mark.line + 1
            yield line, value, field_lines
    finally:
        loader.dispose()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # an untrusted file: any failure of the reader means "not a workbook"
        raise ImportFileError([LineError(None, "not a valid .xlsx workbook")]) from None
    try:
        if not book.worksheets:
            raise ImportFileError([LineError(None, "the workbook has no sheet")])
        header: list[str] | None = None
        for line, cells in enumerate(book.worksheets[0].iter_rows(min_row=1, values_only=True), 1):
            values = [_cell(value) for value in cells]
            while values and values[-1] == "":
                values.pop()
            if not values:
                continue
            if header is None:
                header = _header([str(value) for value in values], line)
                continue
            if len(values) > len(header):
                yield (
                    line,
                    {_BROKEN: f"a value in column {len(values)}, after the last header"},
                    {},
                )
                continue
            values += [""] * (len(header) - len(values))
            yield line, dict(zip(header, values, strict=True)), {}
        if header is None:
            raise ImportFileError([LineError(None, "the sheet is empty: no header")])
    finally:
        book.close()


def dump(entries: Iterable[Entry], fmt: str) -> bytes:
    """The entries as a file's content (CSV and XLSX keep only the four columns)."""
    if fmt == CSV:
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(_columns(entry) for entry in entries)
        return out.getvalue().encode("utf-8")
    if fmt == YAML:
        text = yaml.safe_dump(
            [_yaml_entry(entry) for entry in entries],
            allow_unicode=True,
            sort_keys=False,
            width=1000,
        )
        return text.encode("utf-8")
    if fmt == XLSX:
        return _xlsx(entries)
    raise InvalidEntry(f"format must be one of {', '.join(FORMATS)}", field="format")


def export_file(entries: Iterable[Entry], path: str | Path) -> None:
    """Writes the entries to a file, its format taken from the extension."""
    Path(path).write_bytes(dump(entries, format_of(path)))


def _columns(entry: Entry) -> list[str]:
    return [entry.question, entry.answer, SIMILAR_SEPARATOR.join(entry.similar), entry.category]


def _yaml_entry(entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "question": entry.question,
        "answer": entry.answer,
        "similar": list(entry.similar),
        "category": entry.category,
    }
    if entry.buttons:
        data["buttons"] = [{"title": b.title, "payload": b.payload} for b in entry.buttons]
    if entry.link:
        data["link"] = entry.link
    if entry.channel_answers:
        data["channel_answers"] = dict(entry.channel_answers)
    for name in ("valid_from", "valid_to"):
        if getattr(entry, name) is not None:
            data[name] = getattr(entry, name).isoformat()
    data["status"] = entry.status
    return data


def _xlsx(entries: Iterable[Entry]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("knowledge")

    def cells(values: Sequence[str]) -> list[WriteOnlyCell]:
        row = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text stays text: "=1+1" is not a formula
            row.append(cell)
        return row

    sheet.append(cells(COLUMNS))
    for entry in entries:
        sheet.append(cells(_columns(entry)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
