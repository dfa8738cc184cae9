"""Customer tags (客户画像): rules operators write in YAML, and their evaluation.

- :mod:`.rules`: the rule format (``rules.yml``), its parser and validator;
- :mod:`.evaluate`: the facts about a customer and which tags they earn (pure);
- :mod:`.collect`: reads those facts from the business backend and the handoff database.

Storing the tags is the desk's (``zhike.servers.desk.tags_db``). Importing this package has
no side effects.
"""

from zhike.lib.tags.evaluate import CustomerFacts, Record, TagResult, evaluate
from zhike.lib.tags.rules import (
    DEFAULT_RULES_PATH,
    Rule,
    RuleError,
    RulesInvalid,
    load_rules,
    parse_rules,
)

__all__ = [
    "DEFAULT_RULES_PATH",
    "CustomerFacts",
    "Record",
    "Rule",
    "RuleError",
    "RulesInvalid",
    "TagResult",
    "evaluate",
    "load_rules",
    "parse_rules",
]
