"""Import files: every bad row reported with its line, BOM and Excel files, 10 MB files."""

from __future__ import annotations

import io
import time
from datetime import date, datetime, timezone

import pytest
from openpyxl import Workbook, load_workbook

from zhike.lib.kb.domain import Entry, FrozenMap
from zhike.lib.kb.errors import ImportFileError, InvalidEntry
from zhike.lib.kb.io import dump, format_of, parse

HEADER = "question,answer,similar,category\n"


def errors_of(data: bytes, fmt: str) -> list[str]:
    with pytest.raises(ImportFileError) as error:
        parse(data, fmt)
    return [str(e) for e in error.value.errors]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def entry(question: str, answer: str, similar: tuple[str, ...] = (), category: str = "") -> Entry:
    return Entry(
        id=1,
        question=question,
        answer=answer,
        similar=similar,
        category=category,
        status="published",
        buttons=(),
        link=None,
        channel_answers=FrozenMap(),
        valid_from=None,
        valid_to=None,
        version=1,
        updated_by="a",
        updated_at=datetime(2024, 6, 1, tzinfo=timezone.utc),
        review_comment=None,
    )


def test_csv_with_bom_similar_questions_and_a_quoted_multiline_answer() -> None:
    data = (
        "\ufeff" + HEADER + "怎么退款,在订单页点退款,如何退款|| 退款流程 ,售后\n"
        '发票怎么开,"第一步：打开个人中心\n第二步：申请开票",,财务\n'
        "会员怎么续费,点续费,,\n"
    ).encode()
    items = parse(data, "csv")
    assert [item.line for item in items] == [2, 3, 5]
    assert items[0].draft.similar == ("如何退款", "退款流程")
    assert items[0].draft.category == "售后"
    assert items[1].draft.answer == "第一步：打开个人中心\n第二步：申请开票"


def test_csv_columns_may_come_in_any_order_and_similar_and_category_may_be_missing() -> None:
    items = parse("answer,question\n点退款,怎么退款\n".encode(), "csv")
    assert items[0].draft.question == "怎么退款" and items[0].draft.similar == ()


def test_every_bad_csv_row_is_reported_with_its_line() -> None:
    data = (
        (
            HEADER + "怎么退款,点退款,,\n"
            "发票怎么开,,,\n"  # line 3: no answer
            "\n"
            "怎么退款？,重复,,\n"  # line 5: same question as line 2
            "会员,答,怎么退款!,\n"  # line 6: similar question is line 2's question
            "a,b,c,d,e\n"  # line 7: a comma too many
        ).encode()
    )
    assert errors_of(data, "csv") == [
        "line 3: answer is empty",
        "line 5: question '怎么退款？' is already on line 2",
        "line 6: similar question '怎么退款!' is already on line 2",
        "line 7: expected 4 fields, found 5 (put a field that contains a comma in double quotes)",
    ]


def test_the_line_of_a_row_after_a_multiline_field_counts_physical_lines() -> None:
    data = (HEADER + '问一,"答\n\n一",,\n问二,,,\n').encode()
    assert errors_of(data, "csv") == ["line 5: answer is empty"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty: no header"),
        (HEADER.encode(), "the file has no entries"),
        (
            b"q,a\nx,y\n",
            "line 1: unknown column 'q': the header must be question,answer,similar,category",
        ),
        (
            b"question,similar\nx,y\n",
            "line 1: column 'answer' is missing: the header must be " + HEADER.strip(),
        ),
        (
            HEADER.encode() + "问,答,,\n问二,".encode() + "答".encode("gbk") + b",,\n",
            "line 3: not UTF-8 text (save the file as UTF-8, e.g. Excel's 'CSV UTF-8')",
        ),
        (HEADER.encode() + b'q,"a"b,,\n', "line 2: malformed CSV: ',' expected after '\"'"),
        (HEADER.encode() + b'q,"never closed\n', "line 2: malformed CSV: unexpected end of data"),
    ],
)
def test_malformed_csv_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    assert errors_of(data, "csv") == [message]


def test_yaml_entries_with_every_field() -> None:
    data = """
- question: 怎么退款
  answer: 在订单页点退款
  similar: [如何退款, 退款流程]
  category: 售后
  buttons:
    - {title: 转人工, payload: /handoff}
  link: https://help.example.cn/refund
  channel_answers: {wechat: 微信里点菜单「我的订单」}
  valid_from: 2024-06-01
  valid_to: "2024-12-31"
  status: published
- question: 发票怎么开
  answer: 个人中心开票
""".encode()
    first, second = parse(data, "yaml")
    assert (first.line, second.line) == (2, 13)
    assert first.draft.channel_answers == {"wechat": "微信里点菜单「我的订单」"}
    assert first.draft.valid_from == date(2024, 6, 1) and first.status == "published"
    assert parse(b"entries:\n  - {question: q, answer: a}\n", "yaml")[0].line == 2


def test_a_bad_yaml_field_is_reported_at_its_own_line() -> None:
    data = "- question: 问一\n  answer: 答\n- question: 问二\n  answer: 答\n  link: ftp://x\n- 5\n"
    assert errors_of(data.encode(), "yaml") == [
        "line 5: link must be an http:// or https:// address",
        "line 6: an entry must be a mapping of fields",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"- question: [unclosed\n  answer: a\n", "line 2: malformed YAML"),
        (b"question: a\nanswer: b\n", "line 1: the file must be a list of entries"),
        (
            b"\xef\xbb\xbf- {question: a, answer: b}\n- {question: a, answer: c}\n",
            "line 2: question 'a' is already on line 1",
        ),
    ],
)
def test_malformed_yaml_files_are_refused_with_a_line(data: bytes, message: str) -> None:
    assert errors_of(data, "yaml")[0].startswith(message)


def test_xlsx_rows_are_numbered_as_in_excel() -> None:
    data = xlsx(
        [
            ["question", "answer", "similar", "category"],
            ["怎么退款", "点退款", "如何退款||退款流程", "售后"],
            [],
            [12306, "客服电话", None, None],
            ["发票", None, None, None],
        ]
    )
    with pytest.raises(ImportFileError) as error:
        parse(data, "xlsx")
    assert [str(e) for e in error.value.errors] == ["line 5: answer is empty"]
    good = parse(data[:0] + xlsx([["question", "answer"], ["问", "答"], [12306, 1.0]]), "xlsx")
    assert [(i.line, i.draft.question, i.draft.answer) for i in good] == [
        (2, "问", "答"),
        (3, "12306", "1"),
    ]


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    assert errors_of(b"PK\x03\x04 not really a zip", "xlsx") == ["not a valid .xlsx workbook"]
    assert errors_of(HEADER.encode(), "xlsx") == ["not a valid .xlsx workbook"]


def test_export_and_import_give_back_the_same_entries_in_every_format() -> None:
    entries = [
        entry("怎么退款", "点退款, 然后等\n三天", ("如何退款", "退款流程"), "售后"),
        entry("=1+1", "+公式不算", (), ""),
    ]
    for fmt in ("csv", "yaml", "xlsx"):
        items = parse(dump(entries, fmt), fmt)
        assert [i.draft for i in items] == [e.draft() for e in entries], fmt
    sheet = load_workbook(io.BytesIO(dump(entries, "xlsx"))).worksheets[0]
    assert sheet["A3"].value == "=1+1" and sheet["A3"].data_type == "s"
    assert dump(entries, "csv").decode().splitlines()[0] == "question,answer,similar,category"


def test_file_types_come_from_the_extension() -> None:
    assert [format_of(n) for n in ("a.CSV", "b.yml", "c.yaml", "d.xlsx")] == [
        "csv",
        "yaml",
        "yaml",
        "xlsx",
    ]
    with pytest.raises(InvalidEntry):
        format_of("faq.xls")


def test_a_10_mb_csv_file_is_read_in_seconds_and_an_oversized_one_refused() -> None:
    rows = [HEADER]
    n = 0
    size = len(HEADER)
    while size < 10 * 1024 * 1024:
        similar = f"第{n}个相似问||另一种问法{n}"
        row = f"第{n}个问题：会员卡怎么办理,答案{n}{'内容' * 90},{similar},分类{n % 20}\n"
        rows.append(row)
        size += len(row.encode())
        n += 1
    data = "".join(rows).encode()
    assert len(data) >= 10 * 1024 * 1024
    start = time.perf_counter()
    items = parse(data, "csv")
    assert len(items) == n and items[-1].line == n + 1
    assert time.perf_counter() - start < 30
    assert errors_of(data * 2, "csv") == ["the file is larger than 20 MB"]


def test_a_10_mb_file_with_one_bad_row_names_that_row() -> None:
    lines = [HEADER] + [f"问题{n},{'答' * 300},,\n" for n in range(12_000)]
    lines[9_000] = "问题坏行,,,\n"
    data = "".join(lines).encode()
    assert len(data) > 10 * 1024 * 1024
    assert errors_of(data, "csv") == ["line 9001: answer is empty"]
