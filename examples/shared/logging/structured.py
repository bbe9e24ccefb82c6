"""JSON log lines with per-request context (user, thread, trace)."""

import contextvars
import json
import logging
import time
import uuid
from typing import Any, Dict

_request_context: contextvars.ContextVar[Dict[str, str]] = contextvars.ContextVar(
    "request_context", default={}
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; request context is merged into every record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: Dict[str, Any] = {
            "ts": round(time.time(), 3),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_request_context.get(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def bind_request_context(**fields: str) -> Dict[str, str]:
    """Attach ``fields`` to every log line of the current request."""
    context = dict(_request_context.get())
    context.update(fields)
    context.setdefault("trace_id", uuid.uuid4().hex)  # expect: SSOT002
    _request_context.set(context)
    return context


def start_span(name: str) -> Dict[str, str]:
    """A lightweight span marker for log-based latency breakdowns."""
    span_nonce = uuid.uuid4().hex[:8]  # ssot: ignore[SSOT002]  # expect: SSOT100
    span = {"span": name, "span_nonce": span_nonce, "started": str(time.monotonic())}
    bind_request_context(current_span=name)
    return span


def current_context() -> Dict[str, str]:
    return dict(_request_context.get())
