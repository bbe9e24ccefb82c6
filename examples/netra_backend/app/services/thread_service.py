"""Conversation threads: creation, titles and listing per user."""

import time
from typing import Any, Dict, List

from netra_backend.app.core.unified_id_manager import IDType, UnifiedIDManager

MAX_TITLE_LENGTH = 80


class ThreadService:
    """Keeps threads in memory; the Postgres-backed version lives in the API service."""

    def __init__(self) -> None:
        self._threads: Dict[str, Dict[str, Any]] = {}

    def create_thread(self, user_id: str, first_message: str = "") -> Dict[str, Any]:
<<<<<<< HEAD  # expect: SSOT000
        thread_id = UnifiedIDManager.generate_id(IDType.THREAD)
        title = first_message[:MAX_TITLE_LENGTH] or "New conversation"
=======
        thread_id = UnifiedIDManager.generate_id(IDType.THREAD)
        title = self._suggest_title(first_message)
>>>>>>> feature/thread-titles
        thread = {"thread_id": thread_id, "user_id": user_id, "title": title,
                  "created_at": time.time()}
        self._threads[thread_id] = thread
        return thread

    def _suggest_title(self, message: str) -> str:
        words = message.split()
        return " ".join(words[:8]) if words else "New conversation"

    def list_threads(self, user_id: str) -> List[Dict[str, Any]]:
        threads = [t for t in self._threads.values() if t["user_id"] == user_id]
        return sorted(threads, key=lambda t: t["created_at"], reverse=True)
