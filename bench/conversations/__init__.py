"""Replays the blind multi-turn conversations (``tests/conversations_blind``) for review."""
