"""The ssot-lint benchmark: ``python -m bench`` (see run.py)."""
