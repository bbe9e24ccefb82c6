"""Unified ID generation (SSOT).

Every identifier that crosses a component boundary (executions, runs,
threads, WebSocket connections, ...) is produced here, so prefixes and
formats stay consistent and can be validated in one place.

    execution_id = UnifiedIDManager.generate_id(IDType.EXECUTION)

This is the only module that is allowed to call ``uuid`` directly.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from enum import Enum
from typing import Optional


class IDType(str, Enum):
    """Kinds of platform IDs; the value is the ID's prefix."""

    EXECUTION = "exec"
    USER = "user"
    THREAD = "thread"
    RUN = "run"
    REQUEST = "req"
    WEBSOCKET = "ws"
    AGENT = "agent"
    SESSION = "sess"
    TRACE = "trace"


_ID_PATTERN = re.compile(r"^(?P<prefix>[a-z]+)_(?P<seq>\d+)_(?P<rand>[0-9a-f]{8})$")


class UnifiedIDManager:
    """Process-wide ID factory. Thread-safe; all methods are class methods."""

    _counter = 0
    _lock = threading.Lock()

    @classmethod
    def generate_id(cls, id_type: IDType, *, context: Optional[str] = None) -> str:
        """Return a new ID such as ``exec_42_1f3a9c0e``.

        ``context`` is accepted for call-site documentation only; it is not
        encoded in the ID (IDs must not leak user data into logs).
        """
        with cls._lock:
            cls._counter += 1
            sequence = cls._counter
        random_part = uuid.uuid4().hex[:8]
        return f"{id_type.value}_{sequence}_{random_part}"

    @classmethod
    def generate_run_id(cls, thread_id: str) -> str:
        """Run IDs embed the thread's sequence so runs sort within a thread."""
        thread_seq = thread_id.split("_")[1] if thread_id.count("_") >= 2 else "0"
        run_id = f"{IDType.RUN.value}_{thread_seq}{int(time.time())}_{uuid.uuid4().hex[:8]}"
        return run_id

    @classmethod
    def is_valid_id(cls, value: str, id_type: Optional[IDType] = None) -> bool:
        """True if ``value`` was produced by this manager (and has ``id_type``)."""
        match = _ID_PATTERN.match(value or "")
        if match is None:
            return False
        return id_type is None or match.group("prefix") == id_type.value

    @classmethod
    def extract_type(cls, value: str) -> Optional[IDType]:
        """The IDType encoded in ``value``, or None for foreign IDs."""
        match = _ID_PATTERN.match(value or "")
        if match is None:
            return None
        try:
            return IDType(match.group("prefix"))
        except ValueError:
            return None
