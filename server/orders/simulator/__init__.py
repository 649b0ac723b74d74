"""The platform simulator (issue 5 item 2): a Starlette app serving each platform's order list,
stock-update and ship-confirm APIs from seeded, generated orders. See ``app.py`` for the endpoints."""

from server.orders.simulator.app import create_simulator
from server.orders.simulator.state import Received, Simulator

__all__ = ["Received", "Simulator", "create_simulator"]
