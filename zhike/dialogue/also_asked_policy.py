"""A second request made in the same message is offered once the first one is answered.

The NLU records it (:mod:`zhike.nlu.also_asked`, the parse key
:data:`~zhike.common.topic_names.ALSO_KEY`). After the customer's message, once the bot
has acted on it and no form is asking anything, this policy predicts
:data:`~zhike.common.topic_names.ALSO_ACTION` (``actions/also_asked.py``: "您还提到…" with
the request as a button), then ``action_listen``. A first request that starts a form is
done first (its questions come first): the offer follows the form's last step. A message
the robot asked about ("您是想咨询…") whose clauses made several requests counts the same
once the customer picks one of them (:mod:`zhike.common.several_requests`).

``config.yml``::

    policies:
      - name: zhike.dialogue.also_asked_policy.AlsoAskedPolicy
        priority: 7
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.handoff_names import HANDOFF_ACTION, HANDOFF_STATE_SLOT, WITH_AGENT
from zhike.common.several_requests import Step, owed_after_pick
from zhike.common.topic_names import ALSO_ACTION, ALSO_KEY
from zhike.dialogue.coded_policy import CodedPolicy

# Actions after which the first request is not answered yet (or was not understood).
NOT_AN_ANSWER = frozenset(
    {
        ACTION_LISTEN_NAME,
        "action_session_start",
        "action_default_ask_affirmation",
        "action_two_stage_fallback",
        "action_default_fallback",
        HANDOFF_ACTION,
    }
)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class AlsoAskedPolicy(CodedPolicy):
    """Predicts the offer of a second request once the first is answered, then listens."""

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        """The offer, ``action_listen`` right after it, or abstain (see the module)."""
        return next_action(tracker, frozenset(domain.form_names))


def next_action(tracker: DialogueStateTracker, forms: frozenset[str] = frozenset()) -> str | None:
    """:data:`ALSO_ACTION` when it is due, ``action_listen`` after it, else ``None``.

    Due right after a custom action that answered the customer (not a form, whose own
    rules go on; not an ``utter_`` one, which a rule may follow with another) when a
    second request is pending (:func:`pending`).
    """
    latest = tracker.latest_action_name
    if latest == ALSO_ACTION:
        return ACTION_LISTEN_NAME
    if tracker.active_loop_name or tracker.get_slot(HANDOFF_STATE_SLOT) == WITH_AGENT:
        return None
    if not latest or not latest.startswith("action_") or latest in forms | NOT_AN_ANSWER:
        return None
    return ALSO_ACTION if pending(tracker, forms) else None


def pending(tracker: DialogueStateTracker, forms: frozenset[str]) -> bool:
    """Whether a message of the task just done made a second request not offered yet.

    That message is the latest one, or the one that started the form the customer has
    answered since ("我要改地址 顺便问下啥时候能到": the address form's questions first).
    A question answered in passing while the form waited (the form asked again after the
    answer) is part of the task; a message no form went on after ends it.
    """
    first_action: str | None = None  # the first action after the message looked at
    form_went_on = False  # ... and whether a form ran after it
    for event in reversed(tracker.applied_events()):
        if isinstance(event, ActionExecuted):
            if event.action_name == ALSO_ACTION:
                return False  # offered already
            first_action = event.action_name
            form_went_on = form_went_on or event.action_name in forms
        elif isinstance(event, UserUttered):
            if event.parse_data.get(ALSO_KEY) or _left_by_pick(tracker, event):
                return first_action not in NOT_AN_ANSWER  # the first request was answered
            if not form_went_on:
                return False  # no form went on after it: another task
            first_action, form_went_on = None, False
    return False


def _left_by_pick(tracker: DialogueStateTracker, message: UserUttered) -> bool:
    """Whether ``message`` picked one request of a message of several the robot asked about.

    "空调啥时候到 还有能不能开个发票", "您是想咨询…", 「申请开发票」: the message before the
    pick recorded its clauses' requests (the parcel), and the pick leaves one of them
    owed (:func:`~zhike.common.several_requests.owed_after_pick`). The two-stage fallback
    takes the asked-about message out of the applied events, so the walk reads them all.
    """
    events = list(tracker.events)
    at = next((i for i in range(len(events) - 1, -1, -1) if events[i] is message), None)
    if at is None:
        return False
    before = (_step(event) for event in reversed(events[:at]))
    return owed_after_pick(before, message.text or "", message.intent_name) is not None


def _step(event: Event) -> Step:
    """``event`` as :func:`~zhike.common.several_requests.owed_after_pick` reads it."""
    if isinstance(event, ActionExecuted):
        return "action", event.action_name or "", "", {}
    if isinstance(event, UserUttered):
        return "user", "", event.text or "", dict(event.parse_data)
    return event.type_name, "", "", {}
