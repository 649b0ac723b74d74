"""Fixtures for server tests: ``world`` (see ``world.py``) on every store backend."""

from tests.server.world import world

__all__ = ["world"]
