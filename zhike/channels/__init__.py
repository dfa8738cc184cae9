"""zhike's own Rasa input channels (listed in ``credentials.yml`` by module path)."""
