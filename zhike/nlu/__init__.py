"""Custom Rasa NLU components for Chinese (registered with the DefaultV1Recipe)."""
