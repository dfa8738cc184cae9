"""The action server registers every action the domain names, once, under a unique name."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import yaml
from rasa.shared.core.constants import DEFAULT_INTENTS
from rasa.shared.core.domain import Domain
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor

import actions

ROOT = Path(__file__).resolve().parents[3]


def _concrete_actions() -> list[type[Action]]:
    for module in pkgutil.walk_packages(actions.__path__, "actions."):
        importlib.import_module(module.name)
    found = []
    stack = list(Action.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("actions.") and not inspect.isabstract(cls):
            found.append(cls)
    return found


def test_every_concrete_action_has_a_unique_name() -> None:
    names = [cls().name() for cls in _concrete_actions()]
    assert names, "no actions found"
    assert len(names) == len(set(names)), f"duplicate action names: {sorted(names)}"


def test_the_executor_registers_exactly_the_custom_actions_of_the_domain() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    registered = set(executor.actions)
    domain = Domain.load(str(ROOT / "domain"))
    custom = {
        name
        for name in domain.user_actions
        if name.startswith(("action_", "validate_")) and not name.startswith("utter_")
    }
    assert custom <= registered, f"domain names actions nobody implements: {custom - registered}"
    assert registered <= custom, f"actions missing from the domain: {registered - custom}"


def test_shared_bases_stay_abstract() -> None:
    from actions.forms import ZhikeFormValidationAction

    assert inspect.isabstract(ZhikeFormValidationAction)


def test_every_intent_has_a_fallback_button_title() -> None:
    titles = yaml.safe_load((ROOT / "actions" / "intent_titles.yml").read_text(encoding="utf-8"))
    domain = Domain.load(str(ROOT / "domain"))
    skip = {"faq", "chitchat", *DEFAULT_INTENTS}
    missing = [i for i in domain.intents if i not in skip and i not in titles["intents"]]
    assert not missing, f"intents without a title in actions/intent_titles.yml: {missing}"


def test_every_small_talk_button_question_is_a_small_talk_topic() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    titles = yaml.safe_load((ROOT / "actions" / "intent_titles.yml").read_text(encoding="utf-8"))
    data = load_data(str(ROOT / "data" / "nlu" / "chitchat.yml"))
    keys = {m.get("intent_response_key") for m in data.intent_examples}
    stale = sorted(k for k in titles["retrieval"] if k not in keys)
    assert keys and not stale, f"intent_titles.yml names topics that do not exist: {stale}"
