"""The quality-inspection rules, applied to one finished conversation's transcript.

A transcript is the whole conversation: the customer's, the bot's and the agents' turns
(a bot-only conversation has no agent turns and no ``agent_assigned_at``).

Pure functions: :func:`inspect_transcript` takes the transcript, the rule settings, the
sensitive-word matcher and a sentiment scorer, and answers the rules hit, the score
(100 minus each hit rule's deduction, at least 0) and the masked excerpt with the hits
marked. Nothing here reads a database or a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from zhike.common.privacy import mask_text
from zhike.lib.qa.matcher import Matcher
from zhike.lib.qa.sentiment import NEGATIVE_AT

# name -> (Chinese label, deduction)
RULES: dict[str, tuple[str, int]] = {
    "sensitive_word": ("坐席使用敏感词", 30),
    "bot_sensitive_word": ("机器人回复含敏感词", 20),
    "customer_abuse": ("客户辱骂", 5),
    "sla_first_reply": ("首次响应超时", 15),
    "sla_reply_gap": ("回复间隔超时", 10),
    "no_greeting": ("缺少问候语", 10),
    "no_closing": ("缺少结束语", 5),
    "repeated_transfer": ("多次转接", 10),
    "negative_streak": ("客户连续负面情绪", 15),
    "sentiment_worse": ("客户情绪恶化", 10),
    "low_rating": ("客户低评分", 20),
    "repeated_fallback": ("机器人多次未能理解", 10),
}
GREETINGS = ("您好", "你好", "很高兴为您服务", "欢迎", "早上好", "上午好", "下午好", "晚上好")
CLOSINGS = (
    "感谢", "谢谢", "再见", "祝您", "还有其他", "还有什么", "评价", "满意", "生活愉快",
    "欢迎再次", "随时联系",
)  # fmt: skip
MAX_EXCERPT = 80
CONTEXT = 3  # messages shown before and after each flagged one in a long excerpt
MAX_TEXT = 500


@dataclass(frozen=True)
class RuleSettings:
    """What supervisors tune; each bound is checked by :meth:`from_dict`."""

    first_reply_seconds: int = 60
    reply_gap_seconds: int = 120
    transfer_limit: int = 2
    negative_streak: int = 3
    low_rating: int = 2
    fallback_limit: int = 3
    disabled: tuple[str, ...] = ()

    BOUNDS = {
        "first_reply_seconds": (5, 3600),
        "reply_gap_seconds": (5, 7200),
        "transfer_limit": (1, 20),
        "negative_streak": (2, 20),
        "low_rating": (1, 4),
        "fallback_limit": (2, 20),
    }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSettings:
        """Settings from a JSON object; unknown keys or out-of-range values raise ValueError."""
        known = {f.name for f in fields(cls)}
        extra = set(data) - known
        if extra:
            raise ValueError(f"unknown settings: {', '.join(sorted(extra))}")
        values: dict[str, Any] = {}
        for name, (low, high) in cls.BOUNDS.items():
            if name in data:
                value = data[name]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int)
                    or not low <= value <= high
                ):
                    raise ValueError(f"{name} must be an integer from {low} to {high}")
                values[name] = value
        if "disabled" in data:
            disabled = data["disabled"]
            if not isinstance(disabled, list) or not set(disabled) <= set(RULES):
                raise ValueError(f"disabled must be a list of rules: {', '.join(RULES)}")
            values["disabled"] = tuple(sorted(set(disabled)))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of the settings."""
        found = {name: getattr(self, name) for name in self.BOUNDS}
        found["disabled"] = list(self.disabled)
        return found


@dataclass(frozen=True)
class Line:
    """One message of the transcript (``who``: user, agent, bot or system).

    ``fallback``: a customer message the bot answered with a fallback (did not understand).
    """

    seq: int
    who: str
    text: str
    at: datetime
    fallback: bool = False


@dataclass(frozen=True)
class Transcript:
    """What the rules look at in one finished conversation.

    ``agent_assigned_at`` is None for a conversation no agent served (bot-only): the
    agent rules (SLA, greeting, closing) do not apply. ``before_handoff``: the customer's
    last messages to the bot from the handoff summary, used when the transcript holds only
    the desk's part; a whole transcript has them as lines before ``agent_assigned_at``.
    """

    conversation_id: int
    lines: Sequence[Line]
    agent_assigned_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    transfers: int = 0
    before_handoff: Sequence[str] = ()  # the customer's last messages to the bot


@dataclass
class RuleHit:
    """A rule hit: its name, a Chinese detail, and the messages (``seqs``) it is about."""

    rule: str
    detail: str
    seqs: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (with the rule's Chinese label)."""
        return {"rule": self.rule, "label": RULES[self.rule][0], "detail": self.detail,
                "seqs": self.seqs}  # fmt: skip


@dataclass(frozen=True)
class Inspection:
    """The result for one conversation."""

    hits: list[RuleHit]
    score: int
    excerpt: list[dict[str, Any]]

    @property
    def rules(self) -> list[str]:
        """The names of the rules hit, in :data:`RULES` order."""
        hit = {h.rule for h in self.hits}
        return [name for name in RULES if name in hit]


def _seconds(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds())


def _sla(t: Transcript, s: RuleSettings) -> list[RuleHit]:
    hits: list[RuleHit] = []
    if t.agent_assigned_at is None:
        return hits
    agent = [line for line in t.lines if line.who == "agent"]
    first = agent[0] if agent else None
    if first is not None and _seconds(t.agent_assigned_at, first.at) > s.first_reply_seconds:
        took = _seconds(t.agent_assigned_at, first.at)
        hits.append(RuleHit("sla_first_reply", f"接入后 {took} 秒才首次回复", [first.seq]))
    elif first is None and t.closed_at is not None:
        if _seconds(t.agent_assigned_at, t.closed_at) > s.first_reply_seconds:
            hits.append(RuleHit("sla_first_reply", "接入后直到结束都没有回复客户"))
    if first is None:
        return hits
    waiting: datetime | None = None
    waited: list[tuple[int, int]] = []  # (seconds, seq of the late reply or 0)
    for line in t.lines:
        if line.seq <= first.seq:
            continue
        if line.who == "user" and waiting is None:
            waiting = line.at
        elif line.who == "agent" and waiting is not None:
            waited.append((_seconds(waiting, line.at), line.seq))
            waiting = None
    if waiting is not None and t.closed_at is not None:
        waited.append((_seconds(waiting, t.closed_at), 0))
    late = [(sec, seq) for sec, seq in waited if sec > s.reply_gap_seconds]
    if late:
        longest = max(sec for sec, _ in late)
        detail = f"客户等待回复超过 {s.reply_gap_seconds} 秒 {len(late)} 次，最长 {longest} 秒"
        hits.append(RuleHit("sla_reply_gap", detail, [seq for _, seq in late if seq]))
    return hits


def _phrases(t: Transcript) -> list[RuleHit]:
    agent = [line for line in t.lines if line.who == "agent"]
    if not agent:
        return []
    hits = []
    if not any(word in agent[0].text for word in GREETINGS):
        hits.append(RuleHit("no_greeting", "坐席首条回复没有问候语", [agent[0].seq]))
    if not any(word in line.text for line in agent[-2:] for word in CLOSINGS):
        hits.append(RuleHit("no_closing", "坐席结束前没有结束语", [agent[-1].seq]))
    return hits


def _sentiment(t: Transcript, s: RuleSettings, scorer: Callable[[str], float]) -> list[RuleHit]:
    said = [(line, scorer(line.text)) for line in t.lines if line.who == "user"]
    hits = []
    run: list[int] = []
    best: list[int] = []
    for line, value in said:
        run = run + [line.seq] if value <= NEGATIVE_AT else []
        best = run if len(run) > len(best) else best
    if len(best) >= s.negative_streak:
        hits.append(RuleHit("negative_streak", f"客户连续 {len(best)} 条负面消息", best))
    assigned = t.agent_assigned_at
    bot_part = [text for text in t.before_handoff if text]
    if assigned is not None and not bot_part:  # a whole transcript: the lines before it
        bot_part = [line.text for line, _ in said if line.at < assigned]
    if assigned is not None:
        said = [(line, value) for line, value in said if line.at >= assigned]
    earlier = [scorer(text) for text in bot_part[-3:]]
    if earlier and len(said) >= 2:  # the bot's part against the end with the agent
        before, what = sum(earlier) / len(earlier), "客户情绪在转人工后变差"
    elif len(said) >= 4:  # no bot part: the start against the end
        before = sum(v for _, v in said[:2]) / 2
        what = "客户情绪在人工服务中变差" if assigned is not None else "客户情绪在对话中变差"
    else:
        return hits
    after = sum(v for _, v in said[-2:]) / 2
    if after < 0 and before - after >= 0.6:
        hits.append(RuleHit("sentiment_worse", what, [line.seq for line, _ in said[-2:]]))
    return hits


def _fallbacks(t: Transcript, s: RuleSettings) -> list[RuleHit]:
    missed = [line.seq for line in t.lines if line.who == "user" and line.fallback]
    if len(missed) < s.fallback_limit:
        return []
    return [RuleHit("repeated_fallback", f"机器人 {len(missed)} 次未能理解客户", missed)]


WORD_RULES = {"agent": "sensitive_word", "bot": "bot_sensitive_word", "user": "customer_abuse"}


def _words(
    lines: Sequence[Line], matcher: Matcher, masked: frozenset[str]
) -> tuple[list[RuleHit], dict[int, list[dict[str, Any]]]]:
    marks: dict[int, list[dict[str, Any]]] = {}
    said: dict[str, dict[str, list[int]]] = {"agent": {}, "bot": {}}
    abuse: list[int] = []
    for line in lines:
        if line.who not in WORD_RULES:
            continue
        text = mask_text(line.text)[:MAX_TEXT]
        for hit in matcher.find(text):
            if line.who == "user" and hit.category not in masked:
                continue
            rule = WORD_RULES[line.who]
            marks.setdefault(line.seq, []).append(
                {"start": hit.start, "end": hit.end, "rule": rule, "category": hit.category}
            )
            if line.who in said:
                said[line.who].setdefault(f"{hit.word}（{hit.category}）", []).append(line.seq)
            elif line.seq not in abuse:
                abuse.append(line.seq)
    hits = []
    for who, found in said.items():
        if found:
            seqs = sorted({seq for listed in found.values() for seq in listed})
            hits.append(RuleHit(WORD_RULES[who], "、".join(found), seqs))
    if abuse:
        hits.append(RuleHit("customer_abuse", f"客户 {len(abuse)} 条消息含辱骂", abuse))
    return hits, marks


def _excerpt(
    lines: Sequence[Line],
    hits: list[RuleHit],
    marks: dict[int, list[dict[str, Any]]],
    matcher: Matcher,
    masked: frozenset[str],
) -> list[dict[str, Any]]:
    by_seq: dict[int, list[str]] = {}
    for hit in hits:
        for seq in hit.seqs:
            by_seq.setdefault(seq, []).append(hit.rule)
    shown = _in_context(list(lines), set(by_seq))
    items = []
    for line in shown:
        text = mask_text(line.text)[:MAX_TEXT]
        if line.who == "user":
            text = matcher.mask(text, masked)
        items.append(
            {
                "seq": line.seq,
                "who": line.who,
                "text": text,
                "at": line.at.isoformat(),
                "marks": marks.get(line.seq, []),
                "rules": by_seq.get(line.seq, []),
            }
        )
    return items


def _in_context(lines: list[Line], flagged: set[int]) -> list[Line]:
    """All lines of a short transcript; of a long one, each flagged line with its context.

    The flagged lines come with :data:`CONTEXT` lines either side (the start and the end
    when nothing is flagged), at most :data:`MAX_EXCERPT` lines; the page shows a gap
    where ``seq`` jumps.
    """
    if len(lines) <= MAX_EXCERPT:
        return lines
    places = [i for i, line in enumerate(lines) if line.seq in flagged]
    if not places:
        half = MAX_EXCERPT // 2
        return lines[:half] + lines[-half:]
    keep: set[int] = set()
    for i in places:
        wanted = set(range(max(0, i - CONTEXT), min(len(lines), i + CONTEXT + 1)))
        if len(keep | wanted) > MAX_EXCERPT:
            break
        keep |= wanted
    return [lines[i] for i in sorted(keep)]


def inspect_transcript(
    transcript: Transcript,
    settings: RuleSettings,
    matcher: Matcher,
    masked: frozenset[str],
    scorer: Callable[[str], float],
) -> Inspection:
    """Applies every enabled rule to the transcript.

    Args:
        transcript: The conversation.
        settings: Thresholds and disabled rules.
        matcher: The sensitive words (all categories count in agents' and the bot's
            messages).
        masked: The categories that are abuse in customers' messages (shown as ``***``).
        scorer: A message's sentiment score (:func:`zhike.lib.qa.sentiment.score`).
    """
    lines = sorted(transcript.lines, key=lambda line: line.seq)
    t = Transcript(
        transcript.conversation_id,
        lines,
        transcript.agent_assigned_at,
        transcript.closed_at,
        transcript.rating,
        transcript.transfers,
        transcript.before_handoff,
    )
    word_hits, marks = _words(lines, matcher, masked)
    hits = word_hits + _sla(t, settings) + _phrases(t) + _sentiment(t, settings, scorer)
    hits += _fallbacks(t, settings)
    if t.transfers >= settings.transfer_limit:
        hits.append(RuleHit("repeated_transfer", f"会话被转接 {t.transfers} 次"))
    if t.rating is not None and t.rating <= settings.low_rating:
        hits.append(RuleHit("low_rating", f"客户评分 {t.rating} 分"))
    hits = [hit for hit in hits if hit.rule not in settings.disabled]
    hits.sort(key=lambda hit: list(RULES).index(hit.rule))
    score = max(0, 100 - sum(RULES[hit.rule][1] for hit in hits))
    kept = {hit.rule for hit in hits}
    marks = {seq: [m for m in found if m["rule"] in kept] for seq, found in marks.items()}
    return Inspection(hits, score, _excerpt(lines, hits, marks, matcher, masked))
