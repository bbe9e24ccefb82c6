"""Unit tests: no network, no database, no real WebSocket."""
