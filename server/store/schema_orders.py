"""Tables for orders (shops, pull cursors, orders, lines, timeline, rules, waves, packages, waybills), on the one
``schema.metadata`` (imported at the end of ``schema``; a test checks the migrations agree)."""

from __future__ import annotations

from server.store.schema import metadata  # noqa: F401  (tables below are declared on it)
