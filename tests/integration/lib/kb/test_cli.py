"""``python -m zhike.kb`` as a user runs it: import a CSV, export YAML, stats, a bad row."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[4]
CSV = """question,answer,similar,category
怎么退款,在订单页点退款,如何退款||退款流程,售后
发票怎么开,个人中心开票,,财务
"""


def kb(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ZHIKE_KB_DB_URL", None)
    db = f"sqlite+aiosqlite:///{tmp_path / 'kb.db'}"
    return subprocess.run(
        [sys.executable, "-m", "zhike.kb", "--db", db, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_export_and_stats(tmp_path: Path) -> None:
    (tmp_path / "faq.csv").write_text("\ufeff" + CSV, encoding="utf-8")
    done = kb(tmp_path, "import", "faq.csv", "--publish")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("created 2, updated 0, archived 0, unchanged 0")
    again = kb(tmp_path, "import", "faq.csv", "--publish", "--mode", "replace")
    assert again.stdout.startswith("created 0, updated 0, archived 0, unchanged 2")

    assert kb(tmp_path, "export", "out.yaml").returncode == 0
    exported = yaml.safe_load((tmp_path / "out.yaml").read_text("utf-8"))
    assert [e["question"] for e in exported] == ["怎么退款", "发票怎么开"]
    assert exported[0]["similar"] == ["如何退款", "退款流程"]
    assert exported[0]["status"] == "published"

    stats = kb(tmp_path, "stats").stdout
    assert "revision 1" in stats and "entries 2 (live 2)" in stats
    assert "售后  1" in stats and "财务  1" in stats


def test_a_bad_row_prints_its_line_and_imports_nothing(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(CSV + "会员怎么续费,,,\n", encoding="utf-8")
    done = kb(tmp_path, "import", "bad.csv", "--publish")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == "line 4: answer is empty"
    assert "entries 0" in kb(tmp_path, "stats").stdout


def test_an_unknown_file_type_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    done = kb(tmp_path, "import", "faq.xls")
    assert done.returncode == 1 and "use .csv, .yaml, .yml or .xlsx" in done.stderr
    missing = kb(tmp_path, "import", "missing.csv")
    assert missing.returncode == 1 and "missing.csv" in missing.stderr
