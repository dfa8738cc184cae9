"""The shared floor: small modules every layer may import, and which import nothing of zhike's.

Identifier formats (:mod:`~zhike.common.ids`), timestamps (:mod:`~zhike.common.times`), the
conversation names the domain, dialogue policy, actions and desk share
(:mod:`~zhike.common.handoff_names`), database access, personal-data masking, Chinese
formats and the deployment switch. See :mod:`zhike` for the map of the layers.
"""
