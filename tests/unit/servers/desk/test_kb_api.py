"""The knowledge-base API of the desk (/api/kb/v1): roles, review, versions, files, token."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from .conftest import TOKEN, Desk, User, build_desk, desk_settings, kb_call

REFUND = {
    "question": "怎么申请退款？",
    "answer": "您好，在订单详情页点击“申请退款”即可，审核通过后 1-3 个工作日原路退回。",
    "similar": ["退款怎么弄", "我想退钱"],
    "category": "售后",
}


async def created(desk: Desk, editor: User, content: dict[str, Any] = REFUND) -> dict[str, Any]:
    response = await kb_call(desk, "POST", "/entries", editor, body=content)
    assert response.status == 201, response.text
    entry: dict[str, Any] = response.json["entry"]
    return entry


async def test_an_editor_writes_and_submits_a_reviewer_publishes_and_history_names_them(
    kb_desk: Desk,
) -> None:
    editor, reviewer = await kb_desk.login("bianji"), await kb_desk.login("shenhe")
    entry = await created(kb_desk, editor)
    assert entry["status"] == "draft" and entry["similar"] == ["退款怎么弄", "我想退钱"]
    path = f"/entries/{entry['id']}"

    submitted = await kb_call(kb_desk, "POST", f"{path}/submit", editor)
    assert submitted.json["entry"]["status"] == "in_review"
    # An editor cannot publish their own entry, by approval or directly.
    for action in ("approve", "publish"):
        refused = await kb_call(kb_desk, "POST", f"{path}/{action}", editor)
        assert refused.status == 403 and refused.json["error"] == "forbidden"

    approved = await kb_call(kb_desk, "POST", f"{path}/approve", reviewer, body={"comment": "好"})
    assert approved.status == 200, approved.text
    assert approved.json["entry"]["status"] == "published"
    listed = await kb_call(kb_desk, "GET", "/entries?status=published&q=退钱", editor)
    assert [e["id"] for e in listed.json["entries"]] == [entry["id"]]
    history = (await kb_call(kb_desk, "GET", f"{path}/history", editor)).json["history"]
    assert [(h["action"], h["actor"], h["role"]) for h in history][-1] == (
        "approve",
        "shenhe",
        "reviewer",
    )
    assert history[0]["actor"] == "bianji"
    stats = (await kb_call(kb_desk, "GET", "/stats", reviewer)).json
    assert stats["live"] == 1 and stats["by_category"] == {"售后": 1}


async def test_a_reviewer_rejects_only_with_a_comment_and_the_editor_sees_it(
    kb_desk: Desk,
) -> None:
    editor, reviewer = await kb_desk.login("bianji"), await kb_desk.login("shenhe")
    entry = await created(kb_desk, editor)
    path = f"/entries/{entry['id']}"
    await kb_call(kb_desk, "POST", f"{path}/submit", editor)

    bare = await kb_call(kb_desk, "POST", f"{path}/reject", reviewer, body={"comment": "  "})
    assert bare.status == 400 and bare.json["field"] == "comment"
    rejected = await kb_call(
        kb_desk, "POST", f"{path}/reject", reviewer, body={"comment": "请补充退款时效"}
    )
    assert rejected.json["entry"]["status"] == "draft"
    seen = (await kb_call(kb_desk, "GET", path, editor)).json["entry"]
    assert seen["review_comment"] == "请补充退款时效"


async def test_an_agent_reads_but_cannot_write(kb_desk: Desk) -> None:
    editor, agent = await kb_desk.login("bianji"), await kb_desk.login("wangfang")
    entry = await created(kb_desk, editor)
    path = f"/entries/{entry['id']}"

    read = await kb_call(kb_desk, "GET", path, agent)
    assert read.json["entry"]["question"] == "怎么申请退款？"
    me = (await kb_call(kb_desk, "GET", "/me", agent)).json
    assert me["role"] == "agent" and not any(me["may"].values())
    change = {**REFUND, "answer": "随便写的", "expected_version": entry["version"]}
    for method, where, body in (
        ("POST", "/entries", {**REFUND, "question": "坐席能建吗"}),
        ("PUT", path, change),
        ("POST", f"{path}/submit", None),
        ("POST", f"{path}/archive", None),
    ):
        refused = await kb_call(kb_desk, method, where, agent, body=body)
        assert refused.status == 403, (method, where, refused.text)
    assert (await kb_call(kb_desk, "GET", path, agent)).json["entry"]["answer"] == REFUND["answer"]


async def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(kb_desk: Desk) -> None:
    editor = await kb_desk.login("bianji")
    entry = await created(kb_desk, editor)
    path = f"/entries/{entry['id']}"
    first = {**REFUND, "answer": "第一次修改的答案", "expected_version": entry["version"]}
    second = {**REFUND, "answer": "第二次修改的答案", "expected_version": entry["version"]}

    assert (await kb_call(kb_desk, "PUT", path, editor, body=first)).status == 200
    stale = await kb_call(kb_desk, "PUT", path, editor, body=second)
    assert stale.status == 409 and stale.json["error"] == "version_conflict"
    kept = await kb_call(kb_desk, "GET", path, editor)
    assert kept.json["entry"]["answer"] == "第一次修改的答案"


async def test_writes_need_a_session_and_its_csrf_token(kb_desk: Desk) -> None:
    editor = await kb_desk.login("bianji")
    anonymous = await kb_call(kb_desk, "GET", "/entries")
    assert anonymous.status == 401
    no_csrf = await kb_call(kb_desk, "POST", "/entries", editor, body=REFUND, csrf=False)
    assert no_csrf.status == 403 and no_csrf.json["error"] == "csrf_failed"
    wrong = await kb_call(
        kb_desk, "POST", "/entries", editor, body=REFUND, headers={"x-csrf-token": "x" * 43}
    )
    assert wrong.status == 403
    assert (await kb_call(kb_desk, "GET", "/entries", editor)).json["total"] == 0


async def test_the_service_token_acts_as_the_service_without_cookie_or_csrf(
    kb_desk: Desk,
) -> None:
    bearer = {"authorization": f"Bearer {TOKEN}"}
    made = await kb_call(kb_desk, "POST", "/entries", body=REFUND, headers=bearer)
    assert made.status == 201, made.text
    path = f"/entries/{made.json['entry']['id']}"
    published = await kb_call(kb_desk, "POST", f"{path}/publish", headers=bearer)
    assert published.json["entry"]["status"] == "published"
    history = (await kb_call(kb_desk, "GET", f"{path}/history", headers=bearer)).json["history"]
    assert {(h["actor"], h["role"]) for h in history} == {("service", "service")}

    for header in (f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer ", TOKEN):
        refused = await kb_call(kb_desk, "GET", "/entries", headers={"authorization": header})
        assert refused.status == 401 and refused.json["error"] == "invalid_token", header


async def test_without_a_configured_token_no_bearer_is_accepted(desk: Desk) -> None:
    refused = await kb_call(desk, "GET", "/stats", headers={"authorization": "Bearer " + "a" * 40})
    assert refused.status == 401


def test_a_short_service_token_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ZHIKE_KB_SERVICE_TOKEN"):
        desk_settings(tmp_path, kb_service_token="too-short")


def multipart(name: str, data: bytes) -> tuple[bytes, dict[str, str]]:
    boundary = "zhikeboundary7MA4YWxkTrZu0gW"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


GOOD_CSV = (
    "question,answer,similar,category\n"
    "怎么申请退款？,在订单详情页点击申请退款。,退款怎么弄||我想退钱,售后\n"
    "多久发货？,付款后 48 小时内发货。,什么时候发货,物流\n"
).encode()


async def test_an_import_with_bad_rows_names_their_lines_and_imports_nothing(
    kb_desk: Desk,
) -> None:
    boss = await kb_desk.login("boss")
    bad = GOOD_CSV + "没有答案的问题,,,售后\n".encode() + ",只有答案,,\n".encode()
    content, headers = multipart("faq.csv", bad)
    refused = await kb_call(kb_desk, "POST", "/import", boss, content=content, headers=headers)
    assert refused.status == 400, refused.text
    assert refused.json["error"] == "invalid_file"
    assert [e["line"] for e in refused.json["errors"]] == [4, 5]
    assert "answer" in refused.json["errors"][0]["reason"]
    assert (await kb_call(kb_desk, "GET", "/stats", boss)).json["total"] == 0


async def test_an_editor_imports_drafts_but_cannot_publish_by_import(kb_desk: Desk) -> None:
    editor = await kb_desk.login("bianji")
    content, headers = multipart("faq.csv", GOOD_CSV)
    refused = await kb_call(
        kb_desk, "POST", "/import?publish=1", editor, content=content, headers=headers
    )
    assert refused.status == 403
    imported = await kb_call(kb_desk, "POST", "/import", editor, content=content, headers=headers)
    assert imported.status == 200, imported.text
    assert imported.json["report"]["created"] == 2 and imported.json["report"]["published"] == 0
    drafts = await kb_call(kb_desk, "GET", "/entries?status=draft", editor)
    assert drafts.json["total"] == 2


async def test_export_then_import_round_trips_in_every_format(kb_desk: Desk) -> None:
    boss = await kb_desk.login("boss")
    content, headers = multipart("faq.csv", GOOD_CSV)
    first = await kb_call(
        kb_desk, "POST", "/import?publish=1", boss, content=content, headers=headers
    )
    assert first.json["report"] == {**first.json["report"], "created": 2, "published": 2}

    for fmt in ("csv", "yaml", "xlsx"):
        exported = await kb_call(kb_desk, "GET", f"/export?format={fmt}", boss)
        assert exported.status == 200
        assert f"zhike-kb.{fmt}" in exported.headers["content-disposition"]
        again = await kb_call(
            kb_desk,
            "POST",
            f"/import?format={fmt}&mode=replace&publish=1",
            boss,
            content=exported.body,
            headers={"content-type": "application/octet-stream"},
        )
        assert again.status == 200, (fmt, again.text)
        assert again.json["report"]["unchanged"] == 2, fmt
        assert again.json["report"]["created"] == again.json["report"]["archived"] == 0

    sheet = openpyxl.load_workbook(io.BytesIO(exported.body)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["question", "answer", "similar", "category"]
    assert ["怎么申请退款？", "在订单详情页点击申请退款。", "退款怎么弄||我想退钱", "售后"] in rows
    text = (await kb_call(kb_desk, "GET", "/export", boss)).body.decode("utf-8")
    assert text.splitlines()[0] == "question,answer,similar,category"


async def test_an_import_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    desk = await build_desk(desk_settings(tmp_path, max_import_body=1000))
    try:
        boss = await desk.login("boss")
        content, headers = multipart("faq.csv", GOOD_CSV + b"#" * 2000)
        refused = await kb_call(desk, "POST", "/import", boss, content=content, headers=headers)
        assert refused.status == 413
    finally:
        await desk.context.close()
