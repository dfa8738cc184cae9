"""``python -m zhike.kb``: the knowledge base from the command line (tools layer).

Import and export CSV/YAML/XLSX files and print statistics; see :mod:`zhike.kb.cli`.
"""
