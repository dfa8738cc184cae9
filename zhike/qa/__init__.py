"""The quality-inspection command line: ``python -m zhike.qa --help`` (see :mod:`zhike.qa.cli`)."""
