"""The one route table. ``resolve`` sends an un-enrolled device to enrolment and a signed-out one to
sign-in, whatever route was asked for."""

from __future__ import annotations

from typing import Any

from client.services.session import DeviceSession
from client.ui.screens import enrol, home, lookup, move, pack, pick, receive, signin, stocktake, transfer

SCREENS: dict[str, Any] = {
    "/enrol": enrol.EnrolScreen,
    "/signin": signin.SignInScreen,
    "/": home.HomeScreen,
    "/pick": pick.PickScreen,
    "/pack": pack.PackScreen,
    "/receive": receive.ReceiveScreen,
    "/move": move.MoveScreen,
    "/transfer/ship": transfer.ShipScreen,
    "/transfer/receive": transfer.ReceiveTransferScreen,
    "/stocktake": stocktake.StocktakeScreen,
    "/lookup": lookup.LookupScreen,
}


def resolve(route: str, session: DeviceSession) -> str:
    if not session.enrolled:
        return "/enrol"
    if session.user is None:
        return "/signin"
    return route if route in SCREENS and route not in ("/enrol", "/signin") else "/"
