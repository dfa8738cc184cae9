"""zhike's own dialogue policy: hand-off to a human, and when to hand over unasked.

:mod:`~zhike.dialogue.handoff_policy` is the policy ``config.yml`` names;
:mod:`~zhike.dialogue.escalation` decides when a customer is handed over without asking,
using the anger lexicon of :mod:`~zhike.dialogue.anger`.
"""
