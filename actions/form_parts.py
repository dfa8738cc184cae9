"""What the parts of a form's validation (mixins) may call on the whole form.

:class:`actions.forms.ZhikeFormValidationAction` is made of parts: the identity check
(:class:`actions.form_binding.BindingSlots`), the order
(:class:`actions.order_slot.OrderSlot`) and the confirmation
(:class:`actions.form_confirmation.ConfirmationSlot`). Each part calls back into the form for the
shared steps declared here; the form defines them.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class FormPart:
    """The form's shared steps, as a part of it sees them."""

    def text_answer(self, slot: str, tracker: Tracker, free_text: bool = False) -> dict[str, Any]:
        """See :meth:`actions.forms.ZhikeFormValidationAction.text_answer`."""
        raise NotImplementedError

    def offered_option(self, slot: str, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """See :meth:`actions.forms.ZhikeFormValidationAction.offered_option`."""
        raise NotImplementedError

    def noted_detail(self, text: str, tracker: Tracker) -> str | None:
        """See :meth:`actions.form_binding.BindingSlots.noted_detail`."""
        raise NotImplementedError

    def impatient(self, tracker: Tracker) -> bool:
        """See :meth:`actions.forms.ZhikeFormValidationAction.impatient`."""
        raise NotImplementedError

    def urged(self, tracker: Tracker) -> bool:
        """See :meth:`actions.forms.ZhikeFormValidationAction.urged`."""
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

    def which_named(
        self, slot: str, dispatcher: CollectingDispatcher, named: str
    ) -> dict[str, Any]:
        """See :meth:`actions.forms.ZhikeFormValidationAction.which_named`."""
        raise NotImplementedError

    @staticmethod
    def latest_text(tracker: Tracker) -> str:
        """See :meth:`actions.forms.ZhikeFormValidationAction.latest_text`."""
        raise NotImplementedError
