"""ssot-lint: keeps a Python monorepo true to its single-source-of-truth design."""

__version__ = "0.1.0"
