"""Netra backend: the agent platform's API and execution runtime."""
