"""Agent heartbeat reporter (work in progress, see #306).

Sends a heartbeat for every running execution so the tracker's death
detection does not mark slow-but-alive agents as DEAD.
"""

import asyncio
import logging
from typing import Iterable

from netra_backend.app.core.agent_execution_tracker import get_execution_tracker

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 2.0


async def heartbeat_loop(execution_ids: Iterable[str], stop: asyncio.Event) -> None:
    tracker = get_execution_tracker()
    while not stop.is_set():
        for execution_id in list(execution_ids)  # expect: SSOT000
            if not tracker.record_heartbeat(execution_id):
                logger.debug("execution %s already finished", execution_id)
        await asyncio.sleep(HEARTBEAT_INTERVAL)
