"""Words of other domains: a request's training example never reads as another domain."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from zhike.nlu.business_terms import BusinessTerms
from zhike.nlu.other_domains import OtherDomains

ROOT = Path(__file__).resolve().parents[3]
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
DOMAINS = OtherDomains.load()


def _training_examples() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            intent = str(item.get("intent") or "")
            for line in str(item.get("examples") or "").splitlines():
                yield intent, ANNOTATION.sub(r"\1", line.strip().removeprefix("- "))


def test_no_example_of_another_intent_reads_as_another_domain() -> None:
    terms = BusinessTerms.load()
    taken = [
        (intent, text)
        for intent, text in _training_examples()
        if intent != "out_of_scope" and DOMAINS.named(text) and not terms.mentioned(text)
    ]
    assert taken == [], "other_domains.yml takes these examples out of scope (intent, text)"


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("下周去三亚的机票贵不贵", "travel"),
        ("明天尾号限行吗", "traffic"),
        ("嗓子疼该挂什么科", "health"),
        ("双色球昨晚开的什么号", "money"),
        ("手机尾号是多少", None),  # an identity check's question
        ("窗帘有现货吗", None),  # goods the shop sells
    ],
)
def test_a_domain_is_named_by_its_own_words(text: str, domain: str | None) -> None:
    assert DOMAINS.named(text) == domain


def test_a_broken_pattern_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "other_domains.yml"
    path.write_text("domains:\n  travel: '航班|('\n", encoding="utf-8")
    with pytest.raises(ValueError, match="travel"):
        OtherDomains.load(path)
