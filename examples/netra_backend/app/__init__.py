"""Application package: core runtime, agents and services.

Import SSOT components from the paths listed in SSOT_IMPORT_REGISTRY.md,
not from convenience re-exports.
"""

APP_NAME = "netra-backend"
