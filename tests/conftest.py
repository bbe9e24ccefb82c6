"""Fixture projects under tests/fixtures/ are data to lint, not tests to run."""

collect_ignore_glob = ["fixtures/*"]
