"""Shared logging setup: ``get_logger`` returns a JSON-formatting logger."""

import logging

from shared.logging.structured import JsonFormatter

_configured = False


def get_logger(name: str) -> logging.Logger:
    """A logger whose records carry the current request context."""
    global _configured
    if not _configured:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger("netra")
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        _configured = True
    return logging.getLogger(f"netra.{name}")
