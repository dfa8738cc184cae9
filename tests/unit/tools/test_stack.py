"""The stack starts its servers with the arguments they can parse."""

from __future__ import annotations

from pathlib import Path

from zhike.tools.stack import Stack, StackConfig


def test_a_rasa_token_starting_with_a_dash_reaches_rasa_as_the_tokens_value(
    tmp_path: Path,
) -> None:
    # secrets.token_urlsafe starts with "-" once in 64 starts: "make run" then failed
    # with "argument -t/--auth-token: expected one argument".
    token = "-e6Xh1p0bM2sX9YzGq3kq1TQv9w8CwzUu4Uo0xQ3nA"
    config = StackConfig(model=tmp_path / "model.tar.gz", state_dir=tmp_path, rasa_token=token)
    rasa = next(service for service in Stack(config).services if service.name == "rasa")
    assert f"--auth-token={token}" in rasa.argv
    assert token not in rasa.argv  # never a separate argument argparse takes for an option
