"""Tests for the Netra backend (run with ``pytest tests``)."""
