"""The identity check every form that changes data shares: phone, then a one-time code.

A mixin of :class:`actions.forms.ZhikeFormValidationAction`: an anonymous user proves
who they are (phone + one-time code), which binds their channel account to the customer.
"""

from __future__ import annotations

import math
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import forget_identity, input_channel
from actions.parsing import parse_binding_code, parse_mobile_phone
from actions.services import backend
from zhike.common.privacy import mask_phone
from zhike.lib.backend_client import BackendError, BackendRateLimited, BackendUnavailable

BINDING_SLOTS = ("bind_phone", "bind_code")


class BindingSlots:
    """Extraction and validation of ``bind_phone`` and ``bind_code``."""

    def text_answer(self, slot: str, tracker: Tracker, free_text: bool = False) -> dict[str, Any]:
        """See :meth:`actions.forms.ZhikeFormValidationAction.text_answer`."""
        raise NotImplementedError

    def reject(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        response: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """See :meth:`actions.forms.ZhikeFormValidationAction.reject`."""
        raise NotImplementedError

    async def after_binding(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Hook: slots to set once the customer is known (default: none)."""
        return {}

    async def extract_bind_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The phone number the user gives to prove who they are."""
        return self.text_answer("bind_phone", tracker)

    async def extract_bind_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The one-time code."""
        return self.text_answer("bind_code", tracker)

    async def validate_bind_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Sends a one-time code to a well-formed mainland mobile number.

        The slot keeps only the masked number: the backend knows the phone the code went
        to, so confirming it needs nothing but the code and this sender.
        """
        phone = parse_mobile_phone(value)
        if phone is None:
            return self.reject("bind_phone", dispatcher, tracker)
        channel, sender = input_channel(tracker), tracker.sender_id
        try:
            await backend().request_binding_code(phone, channel, sender)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"bind_phone": None, "form_gave_up": True}
        except BackendError as error:
            if isinstance(error, BackendRateLimited) or error.code == "too_many_codes":
                _too_many(dispatcher, error)
                return {"bind_phone": None, "form_gave_up": True}
            return self.reject("bind_phone", dispatcher, tracker)
        masked = mask_phone(phone)
        dispatcher.utter_message(response="utter_binding_code_sent", masked_phone=masked)
        return {"bind_phone": masked}

    async def validate_bind_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Binds the channel user to the customer when the code is right.

        The backend checks this sender's newest code: the phone in the slot (masked) is
        not sent back.
        """
        code = parse_binding_code(value)
        if code is None or not tracker.get_slot("bind_phone"):
            return self.reject("bind_code", dispatcher, tracker)
        channel, sender = input_channel(tracker), tracker.sender_id
        try:
            await backend().confirm_binding(None, code, channel, sender)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"bind_code": None, "form_gave_up": True}
        except BackendRateLimited as error:
            _too_many(dispatcher, error)
            return {"bind_code": None, "form_gave_up": True}
        except BackendError:
            return self.reject("bind_code", dispatcher, tracker)
        forget_identity(tracker)
        dispatcher.utter_message(response="utter_binding_done")
        # The code is single-use: keep no copy of it in the conversation.
        return {
            "bind_code": "verified",
            "form_failures": 0.0,
            **await self.after_binding(dispatcher, tracker),
        }


def _too_many(dispatcher: CollectingDispatcher, error: BackendError) -> None:
    """Asks the customer to try the code again later (a limit of the backend was reached).

    ``retry_minutes`` is there for a response that wants to say how long.
    """
    seconds = getattr(error, "retry_after", None) or 600.0
    minutes = max(1, math.ceil(seconds / 60))
    dispatcher.utter_message(response="utter_binding_too_many_codes", retry_minutes=minutes)
