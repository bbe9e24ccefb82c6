"""Lazily loaded settings shared by every service.

Settings are plain module attributes resolved on first access::

    from shared.config import REDIS_URL

There are no module-level constants to keep in sync: the module-level
``__getattr__`` below looks the name up in the environment, then in the
defaults.
"""

import os
from functools import lru_cache
from typing import Any, Dict

_DEFAULTS: Dict[str, str] = {
    "ENVIRONMENT": "development",
    "REDIS_URL": "redis://localhost:6379/0",
    "LLM_GATEWAY_URL": "http://localhost:8600",
    "AGENT_EXECUTION_TIMEOUT": "300",
    "AGENT_HEARTBEAT_TIMEOUT": "10",
}


@lru_cache(maxsize=1)
def get_settings() -> Dict[str, str]:
    """Defaults overlaid with ``NETRA_*`` environment variables."""
    settings = dict(_DEFAULTS)
    for key in _DEFAULTS:
        env_value = os.environ.get(f"NETRA_{key}")
        if env_value is not None:
            settings[key] = env_value
    return settings


def __getattr__(name: str) -> Any:
    settings = get_settings()
    if name in settings:
        return settings[name]
    raise AttributeError(f"module {__name__!r} has no setting {name!r}")
