"""Catalogue entries for back-office Ctrl+K search, dashboard charts and the shell's vendored scripts.
Merged into ``shared.core.messages.MESSAGES`` (zh-CN first, English second; same rules as there)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # errors
    "web.search.query_too_long": ("搜索内容过长（最多 {limit} 个字符）", "Search text too long (at most {limit} characters)"),
    # the search button and dialog in the top bar, and the search page
    "web.search.title": ("搜索", "Search"),
    "web.search.button": ("搜索（Ctrl+K）", "Search (Ctrl+K)"),
    "web.search.shortcut": ("快捷键：Ctrl+K，Mac 上 ⌘K", "Shortcut: Ctrl+K, or ⌘K on a Mac"),
    "web.search.label": ("搜索商品、条码、库位、订单", "Search SKUs, barcodes, bins, orders"),
    "web.search.placeholder": ("编码、条码、名称或拼音首字母，如 lyej", "Code, barcode, name or pinyin initials, e.g. lyej"),
    "web.search.submit": ("搜索", "Search"),
    "web.search.close": ("关闭", "Close"),
    "web.search.hint": ("↑↓ 选择，回车打开，Esc 关闭", "↑↓ to choose, Enter to open, Esc to close"),
    "web.search.empty": ("输入编码、条码、名称或拼音首字母开始搜索", "Type a code, barcode, name or pinyin initials to search"),
    "web.search.none": ("没有找到“{query}”", "Nothing found for “{query}”"),
    "web.search.group.sku": ("商品", "SKUs"),
    "web.search.group.bin": ("库位", "Bins"),
    "web.search.group.order": ("订单", "Orders"),
    "web.search.exact": ("完全匹配", "exact match"),
    # dashboard: today's movements, sync health, charts
    "web.dash.today_title": ("今日库存流水（{date}）", "Stock movements today ({date})"),
    "web.dash.band.receipts": ("收货", "Receipts"),
    "web.dash.band.picks": ("拣货", "Picks"),
    "web.dash.band.moves": ("移库", "Moves"),
    "web.dash.band.adjustments": ("库存调整", "Adjustments"),
    "web.dash.sync_title": ("同步状态", "Sync health"),
    "web.dash.synced_recently": ("最近一小时已同步的设备", "Devices synced in the last hour"),
    "web.dash.stale": ("超过一小时未同步的设备", "Devices not synced for over an hour"),
    "web.dash.open_conflicts": ("未处理的同步冲突", "Open sync conflicts"),
    "web.dash.chart_hourly": ("今日每小时库存流水", "Movements per hour today"),
    "web.dash.chart_units": ("各仓库存数量", "Units in stock by warehouse"),
    "web.dash.series_movements": ("流水数", "Movements"),
    "web.dash.series_units": ("库存数量", "Units"),
    "web.dash.chart_fallback": ("图表需要 JavaScript；数据见下表。", "Charts need JavaScript; the figures are in the table below."),
    "web.dash.col.hour": ("小时", "Hour"),
    "web.dash.col.movements": ("流水数", "Movements"),
    "web.dash.col.units": ("库存数量", "Units"),
}
