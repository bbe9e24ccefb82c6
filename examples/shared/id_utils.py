"""Small ID helpers shared by the backend and the auth service.

Predates UnifiedIDManager; the trace and correlation helpers are being
folded into it (IDType.TRACE). Prefer ``UnifiedIDManager.generate_id``.
"""

import time
import uuid
from typing import Any, Dict

from shared.types import UserID, ensure_user_id


def generate_trace_id() -> str:
    """32 hex characters, the W3C trace-context format our log shipper expects."""
    return uuid.uuid4().hex  # expect: SSOT002


def new_correlation_id(prefix: str = "corr") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"  # expect: SSOT002


def anonymous_user_id() -> UserID:
    """ID for a visitor who has not signed in yet."""
    return ensure_user_id(f"anon_{uuid.uuid4().hex[:12]}")  # noqa: SSOT006  # expect: SSOT002, SSOT100


def random_suffix(length: int = 6) -> str:
    """Disambiguates file names of exported reports; not an identifier."""
    return uuid.uuid4().hex[:length]


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError):
        return False
    return True


def normalize_uuid(raw: str) -> str:
    """Canonical lower-case, hyphenated form of a UUID supplied by a client."""
    canonical_id = str(uuid.UUID(raw))
    return canonical_id


def build_service_token_claims(subject: str, ttl_s: int = 300) -> Dict[str, Any]:
    """Claims for a short-lived service-to-service JWT."""
    now = int(time.time())
    jti = str(uuid.uuid4())
    return {"sub": subject, "iat": now, "exp": now + ttl_s, "jti": jti}
