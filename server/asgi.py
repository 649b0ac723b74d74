"""ASGI entry point for running under uvicorn directly (settings from the environment):

    uvicorn server.asgi:create --factory --host 127.0.0.1 --port 8000
"""

from __future__ import annotations

from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings


def create() -> Starlette:
    return create_app(Settings.from_env())
