"""Lookup against a real server's data: what a code is, stock per bin (rebased with pending ops),
this device's recent movements, what a bin holds, and the shelf price in a store."""

from __future__ import annotations

from client.services.lookup import LookupFlow, format_price
from client.services.move import MoveFlow
from server.store import catalogue
from tests.client.services.world import World, outbox_size


def test_lookup_of_a_sku_shows_stock_per_bin_and_this_devices_recent_movements(world: World) -> None:
    s = world.device()
    line = world.stocked(at_least=2)[0]
    target = next(b for b in world.storage_bins() if b.id != line.bin_id)
    world.transport.down = True
    move = MoveFlow(s.context())
    move.scan(world.bin_code(line.bin_id))
    move.scan(world.barcode(line.sku_id))
    move.scan(target.code)
    size = outbox_size(s)
    result = LookupFlow(s.context()).scan(world.barcode(line.sku_id) + "\r\n")
    assert outbox_size(s) == size  # a lookup writes nothing
    assert result.feedback.ok and result.sku is not None and result.bin is None
    card = result.sku
    stock = {st.bin_code: st for st in card.stock}
    assert stock[world.bin_code(line.bin_id)].on_hand == line.on_hand - 1
    assert stock[target.code].pending_qty == 1
    assert card.total_on_hand == sum(st.on_hand for st in card.stock) and card.price_text == ""
    assert [(m.kind, m.bin_code, m.qty, m.state) for m in card.recent] == [
        ("stock.move", world.bin_code(line.bin_id), -1, "pending"), ("stock.move", target.code, 1, "pending")]


def test_lookup_of_a_bin_shows_what_it_holds(world: World) -> None:
    s = world.device()
    line = world.stocked(at_least=1)[0]
    result = LookupFlow(s.context()).scan(world.bin_code(line.bin_id))
    assert result.bin is not None and result.feedback.code == "handheld.lookup_bin"
    held = {(ln.sku_id, ln.batch): ln.on_hand for ln in result.bin.lines}
    assert held[(line.sku_id, "")] == line.on_hand and result.bin.total_on_hand == sum(held.values())


def test_lookup_in_a_store_shows_the_shelf_price(world: World) -> None:
    s = world.device("store-pda", warehouse="ST-NJL")
    sku_id = world.sku_ids()[0]
    price = world.read(lambda c: catalogue.get_sku(c, sku_id)).price_fen
    result = LookupFlow(s.context()).scan(world.barcode(sku_id))
    assert result.sku is not None and result.sku.price_text == format_price(price)
    assert result.sku.price_text in result.feedback.message("zh-CN")


def test_lookup_of_a_document_and_of_unknown_codes(world: World) -> None:
    s = world.device()
    flow = LookupFlow(s.context())
    doc = flow.scan("TR-000001")
    assert doc.document is not None and doc.document.state == "in_transit"
    unknown = flow.scan("6901234567892")
    assert not unknown.feedback.ok and unknown.feedback.code == "scan.unknown_barcode" and unknown.sku is None


def test_format_price_shows_yuan_with_two_decimals() -> None:
    assert [format_price(f) for f in (0, 5, 990, 12345, -250)] == ["¥0.00", "¥0.05", "¥9.90", "¥123.45", "-¥2.50"]
