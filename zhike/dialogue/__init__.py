"""zhike's own dialogue policies."""
