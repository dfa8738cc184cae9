"""The confirmation every form ends with: a yes, a no, or a detail said again.

A part (mixin) of :class:`actions.forms.ZhikeFormValidationAction`. The reply to
「确认…吗？」 is read from what the customer typed before the NLU's intent: a typed button
("确认取消", "1"), a typed yes or no ("好的", "不用了"), a detail of the summary changed
("不对 其实是质量问题": :meth:`ConfirmationSlot.changed_at_confirmation`), a detail only
repeated ("43") or an urge ("能不能快点"): the last two ask again, no yes and no no.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import (
    bot_texts_before_latest_message,
    said_before_latest_message,
    thanks_for_an_answer,
)
from actions.form_parts import FormPart
from actions.topics import form_intents
from actions.typed_answers import AFFIRM, DENY
from actions.typed_parsing import looks_like_request, parse_confirmation
from zhike.common.choices import naming_core
from zhike.common.confirmations import is_acknowledgement
from zhike.common.questions import asks_question
from zhike.common.topic_names import OUT_OF_SCOPE, SWITCH_CONFIDENCE, UNSURE
from zhike.common.urges import urges, without_urges

# A reply to the confirmation that only repeats a detail of its summary ("43"), or only
# urges ("能不能快点 我急着报销"): no yes, no no, and no other request.
RESTATED, URGED = "restated", "urged"
# A remark to the confirmation ("降了200"): no yes, no no, no question, no other request.
REMARKED = "remarked"
# Intents of a message that says nothing the robot serves (inform: without a number).
_UNCLEAR = frozenset({OUT_OF_SCOPE, "inform"})
AGAIN = {
    RESTATED: "utter_confirm_again",
    URGED: "utter_urged_confirm",
    REMARKED: "utter_confirm_unclear",
}
# The fallback's questions: a yes after one of them answers it, not the confirmation.
_UNCLEAR_TURN = ("utter_ask_affirmation_intro", "utter_default", "utter_ask_rephrase")
# A no to the confirmation that changes a detail ("不行 改到后天", "不对 其实是质量问题").
_CHANGES = re.compile(r"改|换|而是|其实是|应该是|不是.{1,12}是")
# "算了 还是你们装吧 保修要紧" to 「确认取消预约单…吗？」: the customer keeps it. Only where
# the form undoes something (cancels, refunds, intercepts) and the words name no undoing.
_KEEPS_IT = re.compile(
    r"^[^还]{0,5}还是(?!.*(?:取消|退|拦|不要|别|不用|不想))"  # "想了想 还是让师傅来装吧"
)
_UNDOING = frozenset({"取消", "退", "拦截"})
# What may not follow a yes or no said first: a but, a wait, a question, a negation.
_BUT = re.compile(r"不过|但|可是|等|先别|再|吗|么|[?？]|不|别|没")
_CLAUSES = re.compile(r"[\s,，。.!！~～;；、]+")


def _leading_answer(text: str, action_words: tuple[str, ...]) -> bool | None:
    """A yes or no said first, then why ("行吧 取消 买重了": yes, and the reason).

    The longest run of leading clauses that says yes or no decides, when what follows
    neither contradicts, asks nor changes ("好的 不过先等一下", "好的 地址改成…" decide
    nothing).
    """
    parts = [part for part in _CLAUSES.split(text.strip()) if part]
    for count in range(len(parts) - 1, 0, -1):
        typed = parse_confirmation(" ".join(parts[:count]), action_words)
        if typed is not None:
            rest = " ".join(parts[count:])
            unclear = _BUT.search(rest) or _CHANGES.search(rest) or asks_question(rest)
            named_again = any(word in rest for word in action_words)  # "算了 还是取消吧"
            return None if unclear or named_again else typed
    return None


class ConfirmationSlot(FormPart):
    """Reads and validates the ``confirmed`` slot."""

    # Words naming the change the form confirms ("取消" in the cancel order form): in a
    # reply to the confirmation they mean yes (see actions.parsing.parse_confirmation).
    confirm_words: ClassVar[tuple[str, ...]] = ()

    async def extract_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no, only when confirmation was asked.

        A typed button ("确认取消", "1") or a typed yes/no ("好的", "不用了", "确定取消" in a
        cancel form; :func:`~actions.parsing.parse_confirmation`) decides whatever the
        intent; otherwise ``affirm`` -> True and ``deny`` -> False, except for a message
        that only says the customer understood ("明白了", which the NLU calls ``affirm``).
        """
        if tracker.get_slot("requested_slot") != "confirmed":
            return {}
        # words typed (a click's payload reads as no text): a clicked 「确认…」 stands
        unclear = said_before_latest_message(tracker, *_UNCLEAR_TURN, taken_back=True)
        if self.latest_text(tracker) and unclear:
            # "确定" right after 「您是想咨询…」 (over "那先拦207吧", not understood) confirmed
            # the interception of the other parcel: the confirmation is asked again first
            return {"confirmed": REMARKED}
        option = self.offered_option("confirmed", tracker, domain)
        if option:
            return option
        if thanks_for_an_answer(tracker):
            return {}  # "好的 谢谢" for the answer given in between: asked again
        text = self.latest_text(tracker)
        typed = parse_confirmation(text, self.confirm_words)
        if typed is None and urges(text):  # "确认 快点": a yes all the same
            typed = parse_confirmation(without_urges(text), self.confirm_words)
        if typed is None or (typed is False and _CHANGES.search(text)):
            changed = self.changed_at_confirmation(text, tracker)
            if changed:  # "不是买错 是质量问题": the summary again, changed; not a no
                return changed
        if typed is None and _UNDOING & set(self.confirm_words) and _KEEPS_IT.search(text):
            typed = False
        if typed is None:
            typed = _leading_answer(text, self.confirm_words)  # "行吧 取消 买重了"
        if typed is not None:
            return {"confirmed": typed}
        if is_acknowledgement(self.latest_text(tracker)):
            return {}  # "好的明白了" is no yes to "确认取消吗？": asked again
        if self.urged(tracker):
            return {"confirmed": URGED}  # "能不能快点 我急着报销": no parcel query, asked again
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent in (AFFIRM, DENY):
            return {"confirmed": intent == AFFIRM}
        core = naming_core(self.latest_text(tracker))
        if core and core in bot_texts_before_latest_message(tracker):
            return {"confirmed": RESTATED}  # "43" to "…换成 黑色 43 码。确认吗？": asked again
        if self.remarked(tracker):
            return {"confirmed": REMARKED}  # "降了200": asked again, not a handoff
        return {}

    def remarked(self, tracker: Tracker) -> bool:
        """Whether the reply to the confirmation is only a remark ("降了200", "我看看啊").

        Not a question nor a request in words, and the NLU's likeliest reading is out of
        scope, a bare statement, or the form's own request, unsure: given up, it got the
        fallback's 「没能理解…转接人工客服吗？」 while the confirmation waited. A message
        likelier another request or a question is given up to be answered, as before.
        """
        text = self.latest_text(tracker)
        if not text or asks_question(text) or looks_like_request(text):
            return False
        latest = tracker.latest_message or {}
        intent = latest.get("intent") or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if name == UNSURE:  # what the NLU was unsure of: a question or another request?
            ranked = [r for r in latest.get("intent_ranking") or [] if r.get("name") != UNSURE]
            name = ranked[0].get("name") if ranked else OUT_OF_SCOPE
            confidence = 0.0
        if name in _UNCLEAR:
            return name != "inform" or not latest.get("entities")
        own = form_intents((tracker.active_loop or {}).get("name"))
        return name in own and confidence < SWITCH_CONFIDENCE

    def changed_at_confirmation(self, text: str, tracker: Tracker) -> dict[str, Any]:
        """The slots a reply to the confirmation changes ("质量问题" for a refund's reason).

        None unless a form says; they are validated as answers, and the question asked again.
        """
        return {}

    async def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no, as extracted; a detail repeated, an urge or a remark asks again."""
        if value in AGAIN:
            dispatcher.utter_message(response=AGAIN[value])
            return {"confirmed": None}
        return {"confirmed": bool(value)}
