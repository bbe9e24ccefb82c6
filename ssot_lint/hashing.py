"""blake2b, the hash of content digests, cache keys and checksums.

``import hashlib`` loads OpenSSL's ``_hashlib`` for algorithms ssot-lint
never uses: 3 ms of a pre-commit run's start-up. ``hashlib.blake2b``
is CPython's built-in ``_blake2.blake2b`` anyway; take it from there.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter built without it
    from hashlib import blake2b

__all__ = ["blake2b"]
