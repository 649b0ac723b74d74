"""Import (upload → dry run → rejected rows → confirm), export (XLSX/CSV) and printing (PDF labels, pick lists, ZPL)."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
