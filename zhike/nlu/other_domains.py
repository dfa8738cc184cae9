"""Words of other domains (:file:`other_domains.yml`): weather, flights, lotteries ...

DIET and the linear model trained on a shop's and a school's requests read some messages of
other domains as the nearest request: 「北京到天津开车要多久」 a delivery time, 「大乐透中奖
规则是啥」 a question for the knowledge base. :class:`OtherDomains` names the domain a
message speaks of; :mod:`zhike.nlu.intent_floor` makes such a message ``out_of_scope`` when
it names no business word, order, parcel or ticket, and :mod:`zhike.nlu.form_reply` gives
a running form the message back as the NLU had it.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

OTHER_DOMAINS_FILE = Path(__file__).resolve().parent / "other_domains.yml"
# In the parse result: the domain named and the intent the message had before
# (``{"domain": "travel", "was": {...}}``); a running form takes the message back.
ELSEWHERE_KEY = "elsewhere"


class OtherDomains:
    """The domains of a YAML file (``domains: {name: pattern}``)."""

    def __init__(self, domains: dict[str, re.Pattern[str]]) -> None:
        self.domains = dict(domains)

    @classmethod
    def load(cls, path: Path = OTHER_DOMAINS_FILE) -> OtherDomains:
        """Reads and compiles the file.

        Raises:
            ValueError: a pattern that is no regular expression (the message names it).
        """
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        domains = {}
        for name, pattern in (data.get("domains") or {}).items():
            try:
                domains[str(name)] = re.compile(str(pattern))
            except re.error as error:
                raise ValueError(f"{path.name}: domain {name!r}: bad pattern: {error}") from error
        return cls(domains)

    def named(self, text: str | None) -> str | None:
        """The first domain whose words lower-cased ``text`` says, or None."""
        folded = str(text or "").lower()
        return next((name for name, p in self.domains.items() if folded and p.search(folded)), None)
