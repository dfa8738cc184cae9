"""deploy/credentials.production.yml: the development channels without the REST channel."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.utils.io import read_config_file

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEVELOPMENT = PROJECT_ROOT / "credentials.yml"
PRODUCTION = PROJECT_ROOT / "deploy" / "credentials.production.yml"
REST_ENTRIES = {"rest", "zhike.channels.rest.RestInput", "rasa.core.channels.rest.RestInput"}


def test_production_has_every_channel_but_rest_configured_as_in_development() -> None:
    development = read_config_file(str(DEVELOPMENT))
    production = read_config_file(str(PRODUCTION))
    assert "zhike.channels.rest.RestInput" in development
    assert not REST_ENTRIES & set(production)
    expected = {key: value for key, value in development.items() if key not in REST_ENTRIES}
    assert production == expected


def test_production_starts_every_channel_and_no_rest_route() -> None:
    from rasa.core.run import create_http_input_channels

    channels = create_http_input_channels(None, str(PRODUCTION))
    assert sorted(c.name() for c in channels) == ["app", "socketio", "wechat", "wecom"]
