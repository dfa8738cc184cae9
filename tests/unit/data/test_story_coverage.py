"""Every rule and story of data/ is exercised by a test story in tests/stories/."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import ROOT


def _tokens(steps: list[dict]) -> list[str]:
    """Steps as "intent:<name>" / "action:<name>" (retrieval sub-intents folded)."""
    tokens = []
    for step in steps:
        if "intent" in step:
            tokens.append("intent:" + str(step["intent"]).split("/")[0])
        elif "action" in step:
            tokens.append("action:" + str(step["action"]))
    return tokens


def _transitions(folder: Path) -> dict[str, set[tuple[str, str]]]:
    """Each rule/story name -> its consecutive (step, next step) pairs."""
    found: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(folder.rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(content, dict):
            continue  # not Rasa training data (data/kb/: knowledge-base entries)
        for kind in ("rules", "stories"):
            for block in content.get(kind) or []:
                name = block.get("rule") or block.get("story")
                tokens = _tokens(block.get("steps") or [])
                found[f"{path.name}: {name}"] = set(zip(tokens, tokens[1:], strict=False))
    return found


def test_every_rule_and_story_transition_is_tested() -> None:
    trained = _transitions(ROOT / "data")
    tested = set().union(*_transitions(ROOT / "tests" / "stories").values())
    untested = {name: pairs - tested for name, pairs in trained.items() if pairs - tested}
    assert not untested, f"rules/stories without a test story: {untested}"
