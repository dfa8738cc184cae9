"""The NLU data meets the bar designers and the issue set: coverage, variety, no leaks."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from zhike.lib.kb.io import parse_file

from .conftest import ROOT, normalise

KB_SEED = ROOT / "data" / "kb" / "faq.yml"

REQUIRED_INTENTS = [
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "out_of_scope",
    "inform",
    "query_order",
    "query_logistics",
    "cancel_order",
    "request_refund",
    "query_refund",
    "modify_address",
    "request_invoice",
    "query_course",
    "reschedule_course",
    "cancel_course",
    "complain",
    "human_handoff",
    "query_ticket",
    "ask_product",
    "ask_shipping",
    "book_visit",
    "change_visit",
    "cancel_visit",
    "query_visit",
    "intercept_parcel",
    "schedule_delivery",
    "change_receiver_phone",
    "reschedule_pickup",
]
# The knowledge base's first entries (data/kb/faq.yml): the questions every shop and
# school customer asks, by their standard question.
REQUIRED_KB_QUESTIONS = [
    "下单后多久发货？",
    "退货政策是怎样的？",
    "支持哪些付款方式？",
    "怎么开发票？",
    "优惠券怎么使用？",
    "会员有什么权益，怎么开通？",
    "可以免费试听吗？",
    "课程讲义和回放在哪里看？",
    "可以更换老师吗？",
    "上课需要什么设备？",
    "退款多久能到账？",
    "人工客服什么时间在线？",
]


def _examples_by_intent(data: TrainingData) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for message in data.intent_examples:
        key = message.get("intent_response_key") or message.get("intent")
        grouped[key].append(message.get("text"))
    return grouped


def test_every_required_intent_has_at_least_25_distinct_examples(
    training_data: TrainingData,
) -> None:
    grouped = _examples_by_intent(training_data)
    for intent in REQUIRED_INTENTS:
        distinct = {normalise(t) for t in grouped.get(intent, [])}
        assert len(distinct) >= 25, f"{intent} has {len(distinct)} distinct examples"


def test_every_required_question_is_in_the_knowledge_base_seed_with_variants() -> None:
    entries = {item.draft.question: item.draft for item in parse_file(KB_SEED)}
    for question in REQUIRED_KB_QUESTIONS:
        draft = entries.get(question)
        assert draft is not None, f"{question} is not in {KB_SEED.name}"
        assert len(draft.similar) >= 10 and draft.answer, f"{question}: too few variants"


def test_questions_and_small_talk_have_examples_and_small_talk_answers(
    training_data: TrainingData, domain: Domain
) -> None:
    grouped = _examples_by_intent(training_data)
    assert len(grouped.get("faq", [])) >= 200, "too few question examples (intent faq)"
    assert not [k for k in grouped if k.startswith("faq/")], "answers belong in the KB"
    chitchat = [k for k in grouped if k.startswith("chitchat/")]
    assert len(chitchat) >= 5
    for key in chitchat:
        assert training_data.responses.get(f"utter_{key}"), f"{key} has no answer"


def test_no_example_belongs_to_two_intents(training_data: TrainingData) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, texts in _examples_by_intent(training_data).items():
        for text in texts:
            owners[normalise(text)].add(intent)
    clashes = {text: intents for text, intents in owners.items() if len(intents) > 1}
    assert not clashes


def test_examples_are_varied(training_data: TrainingData) -> None:
    """Traditional characters, digits/letters and punctuation-free lines all occur."""
    texts = [m.get("text") for m in training_data.intent_examples]
    assert sum(1 for t in texts if re.search(r"[訂單轉發貨課請調麼這個]", t)) >= 20
    assert sum(1 for t in texts if re.search(r"[A-Za-z]+\d+", t)) >= 20
    assert sum(1 for t in texts if not re.search(r"[，。？！,.?!~～]", t)) >= 200


def test_held_out_set_shares_no_example_with_training_data(
    training_data: TrainingData, held_out: TrainingData
) -> None:
    train = {normalise(m.get("text")) for m in training_data.intent_examples}
    leaked = [m.get("text") for m in held_out.intent_examples if normalise(m.get("text")) in train]
    assert not leaked, f"held-out examples also in data/: {leaked[:10]}"


def test_blind_set_shares_no_example_with_training_data_the_knowledge_base_or_held_out(
    training_data: TrainingData, held_out: TrainingData, blind: TrainingData
) -> None:
    seen = {normalise(m.get("text")) for m in training_data.intent_examples}
    seen |= {normalise(m.get("text")) for m in held_out.intent_examples}
    for item in parse_file(KB_SEED):
        seen |= {normalise(q) for q in [item.draft.question, *item.draft.similar]}
    leaked = [m.get("text") for m in blind.intent_examples if normalise(m.get("text")) in seen]
    assert not leaked, f"blind examples seen elsewhere: {leaked[:10]}"
    # both halves count: the test half is never read, so a bad split would go unnoticed
    halves = [load_data(str(ROOT / "tests" / "nlu_blind" / half)) for half in ("dev", "test")]
    assert all(len(half.intent_examples) >= 150 for half in halves)


def test_blind_set_covers_every_intent_but_bare_values(
    training_data: TrainingData, blind: TrainingData
) -> None:
    trained = set(_examples_by_intent(training_data)) - {"inform"}
    tested = {m.get("intent_response_key") or m.get("intent") for m in blind.intent_examples}
    assert not trained - tested, f"no blind examples for {sorted(trained - tested)}"


def test_held_out_set_covers_every_intent(
    training_data: TrainingData, held_out: TrainingData
) -> None:
    trained = set(_examples_by_intent(training_data))
    tested = Counter(
        m.get("intent_response_key") or m.get("intent") for m in held_out.intent_examples
    )
    missing = trained - set(tested)
    assert not missing, f"no held-out examples for {sorted(missing)}"


def test_regexes_find_order_phone_and_tracking_numbers(training_data: TrainingData) -> None:
    patterns = defaultdict(list)
    for regex in training_data.regex_features:
        patterns[regex["name"]].append(re.compile(regex["pattern"], re.IGNORECASE))

    def found(name: str, text: str) -> list[str]:
        return [m.group(0) for p in patterns[name] for m in p.finditer(text)]

    assert found("order_id", "帮我查下订单hp20240001到哪了") == ["hp20240001"]
    assert found("order_id", "HP202400011") == []
    assert found("phone", "手机13800138001，尾号8001") == ["13800138001"]
    assert found("phone", "订单HP20240001") == []
    assert found("tracking_number", "顺丰单号SF1234567890") == ["SF1234567890"]
    assert found("date", "下周三晚上可以吗")
    assert not found("date", "HP20240001")


def test_dates_are_not_house_numbers(training_data: TrainingData) -> None:
    patterns = [
        re.compile(r["pattern"], re.IGNORECASE)
        for r in training_data.regex_features
        if r["name"] == "date"
    ]

    def found(text: str) -> list[str]:
        return [m.group(0) for p in patterns for m in p.finditer(text)]

    assert found("建国路88号") == [] and found("张江路8号院") == [] and found("3号楼") == []
    assert found("这个月15号可以吗") == ["15号"]
    assert found("12月15号") == ["12月15号"]  # one entity, not two overlapping ones
