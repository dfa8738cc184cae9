"""data/ and the held-out tests are laid out by capability, with the names of domain/.

An intent's examples live in ``data/nlu/<capability>.yml`` (held-out ones in
``tests/nlu/<capability>.yml``) and a form's rules in ``data/rules/<capability>.yml`` (its
test stories in ``tests/stories/<capability>.yml``), where ``domain/<capability>.yml``
declares the intent or the form. Adding a capability means adding files of one new name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT

# Data and test files that are not named for a domain file, and why.
NOT_A_CAPABILITY = {
    # The chitchat retrieval intent (declared in domain/faq.yml) has files of its own name,
    # questions and answers together, like faq; the desk's FAQ knowledge base reads
    # data/nlu/faq.yml and must not offer small talk to agents.
    "chitchat",
    # Rasa's two-stage fallback (nlu_fallback, action_two_stage_fallback): every capability.
    "fallback",
}


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _names(entries: Any) -> set[str]:
    """Names of a domain list (strings or one-key mappings) or mapping."""
    if isinstance(entries, dict):
        return {str(name) for name in entries}
    return {str(next(iter(e))) if isinstance(e, dict) else str(e) for e in entries or []}


def _declared(key: str) -> dict[str, str]:
    """Each intent/form/entity of domain/ -> the capability (file stem) declaring it."""
    owner: dict[str, str] = {}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        for name in _names(_load(path).get(key)):
            assert name not in owner, f"{key} {name} declared in two domain files"
            owner[name] = path.stem
    return owner


def _data_files(folder: str, base: str = "data") -> list[Path]:
    return sorted((ROOT / base / folder).glob("*.yml"))


def _mentions_form(rule: dict[str, Any], forms: set[str]) -> Iterator[str]:
    for step in (rule.get("condition") or []) + (rule.get("steps") or []):
        for key in ("active_loop", "action"):
            if step.get(key) in forms:
                yield step[key]


@pytest.mark.parametrize("base", ["data", "tests"])
def test_every_intent_has_its_examples_in_the_nlu_file_of_its_capability(base: str) -> None:
    owner = _declared("intents")
    misplaced = []
    for path in _data_files("nlu", base):
        for item in _load(path).get("nlu") or []:
            if "intent" not in item:
                continue
            intent, _, sub_intent = str(item["intent"]).partition("/")
            # A retrieval intent's file may also bear its own name (chitchat.yml).
            allowed = {owner.get(intent), intent} if sub_intent else {owner.get(intent)}
            if path.stem not in allowed:
                misplaced.append(
                    f"{item['intent']} in {path.name}, declared in {owner.get(intent)}"
                )
    assert not misplaced, misplaced


def test_every_regex_and_lookup_table_sits_with_the_capability_of_its_entity() -> None:
    owner = _declared("entities")
    misplaced = [
        f"{kind} {item[kind]} in {path.name}, entity of {owner.get(item[kind])}"
        for path in _data_files("nlu")
        for item in _load(path).get("nlu") or []
        for kind in ("regex", "lookup")
        if kind in item and path.stem != owner.get(item[kind])
    ]
    assert not misplaced, misplaced


def test_every_forms_rules_are_in_the_rules_file_of_its_capability() -> None:
    owner = _declared("forms")
    misplaced = [
        f"{rule.get('rule')!r} in {path.name}: {form} is declared in domain/{owner[form]}.yml"
        for path in _data_files("rules")
        for rule in _load(path).get("rules") or []
        for form in set(_mentions_form(rule, set(owner)))
        if path.stem != owner[form]
    ]
    assert not misplaced, misplaced


def test_every_forms_test_stories_are_in_the_test_stories_file_of_its_capability() -> None:
    """A test story goes with the first form it runs (its main flow), whatever it crosses into."""
    owner = _declared("forms")
    misplaced = []
    for path in _data_files("stories", "tests"):
        for story in _load(path).get("stories") or []:
            form = next(_mentions_form(story, set(owner)), None)
            if form is not None and path.stem != owner[form]:
                misplaced.append(
                    f"{story.get('story')!r} in {path.name}: {form} is declared in "
                    f"domain/{owner[form]}.yml"
                )
    assert not misplaced, misplaced


@pytest.mark.parametrize(
    ("base", "folder"),
    [
        ("data", "nlu"),
        ("data", "rules"),
        ("data", "stories"),
        ("tests", "nlu"),
        ("tests", "stories"),
    ],
)
def test_every_data_file_is_named_for_a_capability_and_says_what_it_holds(
    base: str, folder: str
) -> None:
    capabilities = {path.stem for path in (ROOT / "domain").glob("*.yml")}
    assert _data_files(folder, base), f"no {base}/{folder}/*.yml"
    for path in _data_files(folder, base):
        name = f"{base}/{folder}/{path.name}"
        assert path.stem in capabilities | NOT_A_CAPABILITY, f"{name}: no domain/{path.name}"
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{name} does not start with a comment"
        assert _load(path).get("version") == "3.1", name
