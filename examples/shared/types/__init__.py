"""Shared type definitions.

``from shared.types import UserID`` is the supported import path; the
submodules are an implementation detail.
"""

from shared.types.ids import *
