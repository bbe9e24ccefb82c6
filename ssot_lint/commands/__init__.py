"""Subcommands of ``ssot-lint``: one module each, exposing ``command``."""
