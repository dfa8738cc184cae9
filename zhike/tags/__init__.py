"""The customer-tags CLI (客户画像): ``python -m zhike.tags check|recompute`` (tools layer)."""
