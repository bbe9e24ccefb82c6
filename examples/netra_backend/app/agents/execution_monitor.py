"""Heartbeat and timeout monitoring for long-running agents.

Written for the batch optimizer before the execution tracker grew death
detection; the batch runner still wires it in next to the tracker.
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional

try:
    from netra_backend.app.services.metrics_exporter import MetricsExporter
except ImportError:  # local dev installs skip the metrics extra
    from netra_backend.app.services.metrics_fallback import NullMetricsExporter as MetricsExporter  # expect: SSOT005


@dataclass
class _Watched:
    agent_name: str
    started_at: float = field(default_factory=time.monotonic)
    last_heartbeat: float = field(default_factory=time.monotonic)
    finished: bool = False


class ExecutionHealthMonitor:  # expect: SSOT001
    """Marks executions dead when heartbeats stop; trips per-agent after repeated deaths."""

    def __init__(self, heartbeat_timeout: float = 15.0, max_deaths: int = 3) -> None:
        self.heartbeat_timeout = heartbeat_timeout
        self.max_deaths = max_deaths
        self._watched: Dict[str, _Watched] = {}
        self._deaths: Counter = Counter()
        self._metrics = MetricsExporter(namespace="agent_health")

    def start_execution(self, execution_id: str, agent_name: str) -> None:
        self._watched[execution_id] = _Watched(agent_name)

    def record_heartbeat(self, execution_id: str) -> bool:
        watched = self._watched.get(execution_id)
        if watched is None or watched.finished:
            return False
        watched.last_heartbeat = time.monotonic()
        return True

    def check_timeouts(self) -> List[str]:
        now = time.monotonic()
        dead = [
            execution_id
            for execution_id, watched in self._watched.items()
            if not watched.finished and now - watched.last_heartbeat > self.heartbeat_timeout
        ]
        for execution_id in dead:
            watched = self._watched[execution_id]
            watched.finished = True
            self._deaths[watched.agent_name] += 1
            self._metrics.increment("dead_executions", agent=watched.agent_name)
        return dead

    def complete_execution(self, execution_id: str) -> None:
        watched = self._watched.get(execution_id)
        if watched is not None:
            watched.finished = True
            self._metrics.observe("duration_s", time.monotonic() - watched.started_at)

    def get_execution(self, execution_id: str) -> Optional[_Watched]:
        return self._watched.get(execution_id)

    def is_circuit_open(self, agent_name: str) -> bool:
        return self._deaths[agent_name] >= self.max_deaths

    def snapshot(self) -> Dict[str, int]:
        active = sum(1 for w in self._watched.values() if not w.finished)
        return {"active": active, "dead_total": sum(self._deaths.values())}
