"""The one catalogue of error messages, zh-CN first and English second.

Every ``DomainError`` code has an entry here; a test checks that no code is missing. Messages are
``str.format`` templates filled from the error's ``details``.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # input validation (the 'invalid' band)
    "invalid.quantity": ("数量无效：{reason}", "Invalid quantity: {reason}"),
    "invalid.text": ("文本无效（{field}）：{reason}", "Invalid text ({field}): {reason}"),
    "invalid.code": ("编码无效（{field}）：{reason}", "Invalid code ({field}): {reason}"),
    "invalid.money": ("金额无效：{reason}", "Invalid amount: {reason}"),
    "invalid.enum": ("{field} 的取值无效：{value}", "Invalid value for {field}: {value}"),
    "invalid.timestamp": ("时间无效：{reason}", "Invalid timestamp: {reason}"),
    # barcodes
    "barcode.empty": ("条码为空", "The barcode is empty"),
    "barcode.too_long": ("条码过长（{length} 个字符，最多 {limit} 个）", "Barcode too long ({length} characters, at most {limit})"),
    "barcode.bad_check_digit": ("条码校验位错误：{barcode}", "Wrong check digit in barcode {barcode}"),
    "barcode.bad_length": ("条码长度无效（{length} 位）：{barcode}", "Barcode has an invalid length ({length} digits): {barcode}"),
    "barcode.scientific_notation": ("条码被 Excel 转成了科学计数法：{barcode}，请以文本格式重新导出", "Barcode was turned into scientific notation by Excel: {barcode}; export it again as text"),
    "barcode.bad_characters": ("条码含有无效字符：{barcode}", "Barcode contains invalid characters: {barcode}"),
    "barcode.taken": ("条码 {barcode} 已属于商品 {sku_code}", "Barcode {barcode} already belongs to SKU {sku_code}"),
    # catalogue
    "sku.not_found": ("找不到商品：{sku}", "Unknown SKU: {sku}"),
    "sku.archived": ("商品 {sku} 已停用", "SKU {sku} is archived"),
    "sku.duplicate_code": ("商品编码 {code} 已存在", "SKU code {code} already exists"),
    "sku.batch_required": ("商品 {sku} 按批次管理，必须填写批次", "SKU {sku} is batch-tracked: a batch is required"),
    "sku.batch_not_tracked": ("商品 {sku} 不按批次管理，不能填写批次", "SKU {sku} is not batch-tracked: no batch may be given"),
    "warehouse.not_found": ("找不到仓库：{warehouse}", "Unknown warehouse: {warehouse}"),
    "warehouse.duplicate_code": ("仓库编码 {code} 已存在", "Warehouse code {code} already exists"),
    "bin.not_found": ("找不到库位：{bin}", "Unknown bin: {bin}"),
    "bin.duplicate_code": ("仓库 {warehouse} 中库位编码 {code} 已存在", "Bin code {code} already exists in warehouse {warehouse}"),
    "bin.wrong_warehouse": ("库位 {bin} 不属于仓库 {warehouse}", "Bin {bin} does not belong to warehouse {warehouse}"),
    "bin.not_stockable": ("库位 {bin} 不能直接存放库存", "Bin {bin} cannot hold stock directly"),
    "platform_sku.duplicate": ("平台商品 {platform}/{shop}/{platform_sku} 已映射", "Platform SKU {platform}/{shop}/{platform_sku} is already mapped"),
    # stock ledger
    "movement.duplicate_id": ("库存流水 {movement_id} 已存在", "Movement {movement_id} already exists"),
    "movement.bad_kind": ("库存流水类型与原因码不符：{kind} / {reason}", "Movement kind and reason code do not match: {kind} / {reason}"),
    "movement.bad_sign": ("{kind} 类流水的数量方向错误：{qty}", "Wrong sign of quantity {qty} for a {kind} movement"),
    "movement.same_bin": ("源库位与目标库位相同：{bin}", "Source and destination bin are the same: {bin}"),
    "movement.batch_too_large": ("一批最多 {limit} 条流水，收到 {count} 条", "At most {limit} movements per batch, got {count}"),
    "reservation.not_found": ("找不到占用：{reservation}", "Unknown reservation: {reservation}"),
    "reservation.closed": ("占用 {reservation} 已{state}，不能再变更", "Reservation {reservation} is {state} and cannot change"),
    "reservation.exceeds_open": ("占用 {reservation} 只剩 {open_qty}，不能处理 {qty}", "Reservation {reservation} has only {open_qty} open, cannot take {qty}"),
    "reservation.insufficient": ("可用库存不足：{sku} 在 {warehouse} 可用 {available}，需要 {qty}", "Not enough available stock: {sku} in {warehouse} has {available} available, {qty} needed"),
    # transfers
    "transfer.not_found": ("找不到调拨单：{transfer}", "Unknown transfer: {transfer}"),
    "transfer.same_warehouse": ("调出仓与调入仓相同", "Source and destination warehouse are the same"),
    "transfer.bad_state": ("调拨单 {transfer} 当前状态为 {state}，不能{action}", "Transfer {transfer} is {state}: cannot {action}"),
    "transfer.over_receipt": ("调拨单 {transfer} 的 {sku} 在途仅 {in_transit}，不能收 {qty}", "Transfer {transfer}: only {in_transit} of {sku} in transit, cannot receive {qty}"),
    "transfer.over_ship": ("调拨单 {transfer} 的 {sku} 待发仅 {remaining}，不能发 {qty}", "Transfer {transfer}: only {remaining} of {sku} left to ship, cannot ship {qty}"),
    "transfer.unknown_line": ("调拨单 {transfer} 中没有商品 {sku}", "Transfer {transfer} has no line for {sku}"),
    # expected receipts
    "receipt.not_found": ("找不到收货单：{receipt}", "Unknown receipt: {receipt}"),
    "receipt.duplicate_reference": ("收货单号 {reference} 已存在", "Receipt reference {reference} already exists"),
    "receipt.closed": ("收货单 {receipt} 已关闭", "Receipt {receipt} is closed"),
    # stocktakes
    "stocktake.not_found": ("找不到盘点单：{stocktake}", "Unknown stocktake: {stocktake}"),
    "stocktake.bad_state": ("盘点单 {stocktake} 当前状态为 {state}，不能{action}", "Stocktake {stocktake} is {state}: cannot {action}"),
    "stocktake.bin_not_in_scope": ("库位 {bin} 不在盘点单 {stocktake} 的范围内", "Bin {bin} is not part of stocktake {stocktake}"),
    "stocktake.approver_is_counter": ("审核人 {user} 参与了盘点，不能审核自己的盘点", "{user} counted in this stocktake and cannot approve it"),
    "stocktake.recount_pending": ("还有 {count} 处需要复盘，请复盘后再审核", "{count} places need a recount before approval"),
    "stocktake.no_bins": ("盘点单至少需要一个库位", "A stocktake needs at least one bin"),
    # import
    "import.encoding": ("无法识别文件编码（支持 UTF-8、UTF-8-BOM、GBK/GB18030、UTF-16）", "Cannot detect the file encoding (UTF-8, UTF-8 with BOM, GBK/GB18030 and UTF-16 are supported)"),
    "import.too_large": ("文件过大（{size} 字节，最多 {limit} 字节）", "File too large ({size} bytes, at most {limit})"),
    "import.bad_format": ("无法读取文件：{reason}", "Cannot read the file: {reason}"),
    "import.missing_column": ("缺少必填列：{column}", "Missing required column: {column}"),
    "import.duplicate_header": ("表头重复：{column}", "Duplicate column header: {column}"),
    "import.unknown_kind": ("未知的导入类型：{kind}", "Unknown import kind: {kind}"),
    "import.not_confirmed": ("文件有被拒绝的行，未确认不会导入", "The file has rejected rows; nothing is imported until you confirm"),
    # scanning (shared.catalogue.barcode, shared.scan.resolve): a GS1 scan offered as a barcode to
    # register, and the reason codes of an UnknownScan (scan.*), shown to the operator at once
    "barcode.gs1_element_string": ("这是 GS1 元素串（含应用标识符），不能直接登记为条码，请登记其中 (01) 的 GTIN：{barcode}", "This is a GS1 element string (with application identifiers), not a barcode to register; register the GTIN in its (01) field instead: {barcode}"),
    "scan.bad_check_digit": ("条码校验位错误：{barcode}，请重新扫描", "Wrong check digit in barcode {barcode}; scan it again"),
    "scan.bad_length": ("条码位数不对（{length} 位）：{barcode}，可能少了一位或前导 0 被删掉了", "Barcode {barcode} has {length} digits: a digit is missing or leading zeros were stripped"),
    "scan.scientific_notation": ("条码被 Excel 转成了科学计数法：{barcode}", "Barcode was turned into scientific notation by Excel: {barcode}"),
    "scan.unknown_barcode": ("条码 {barcode} 未登记到任何商品", "Barcode {barcode} is not registered to any SKU"),
    "scan.archived_sku": ("条码 {barcode} 属于已停用的商品 {sku}", "Barcode {barcode} belongs to archived SKU {sku}"),
    "scan.unknown_code": ("无法识别的编码：{code}", "Unrecognised code: {code}"),
    "scan.bad_gs1": ("无法解析的 GS1 条码：{barcode}", "Cannot read the GS1 barcode {barcode}"),
    "scan.gs1_no_gtin": ("GS1 条码中没有商品 GTIN（AI 01 或 02）：{barcode}", "The GS1 barcode {barcode} carries no product GTIN (AI 01 or 02)"),
    # ---- catalogue import / export (server/imports, server/exports, `erp import` / `erp export`) ----
    # file-level: nothing of the file is used
    "import.old_xls": ("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）", "Old .xls files are not supported; save the file as .xlsx or CSV (UTF-8) in Excel"),
    "import.empty": ("文件是空的：没有表头行", "The file is empty: there is no header row"),
    "import.blank_header": ("第 {column} 列的表头为空", "Column {column} has a blank header"),
    # row-level: the row is rejected, the others are reported as usual
    "import.extra_cells": ("这一行在第 {column} 列有内容，但该列没有表头", "This row has content in column {column}, which has no header"),
    "import.formula_without_value": ("单元格 {cell} 是公式但没有计算结果，请在 Excel 中打开并保存后再导入", "Cell {cell} holds a formula without a computed value; open and save the file in Excel, then import it again"),
    "import.thousands_separator": ("{field} 不能含千位分隔符：{value}", "{field} must not contain thousands separators: {value}"),
    "import.required_value": ("{field} 不能为空", "{field} must not be empty"),
    "import.duplicate_sku_code": ("商品编码 {value} 在文件中重复（第 {rows} 行）", "SKU code {value} appears more than once in the file (rows {rows})"),
    "import.duplicate_barcode": ("条码 {value} 在文件中重复（第 {rows} 行）", "Barcode {value} appears more than once in the file (rows {rows})"),
    "import.duplicate_bin": ("库位 {value} 在文件中重复（第 {rows} 行）", "Bin {value} appears more than once in the file (rows {rows})"),
    "import.duplicate_stock_line": ("期初库存 {value} 在文件中重复（第 {rows} 行）", "Opening stock line {value} appears more than once in the file (rows {rows})"),
    "import.case_barcode_is_unit": ("箱码 {barcode} 同时填在了单品条码中", "Case barcode {barcode} is also given as a unit barcode"),
    "import.pack_qty_required": ("填写了箱码就必须填写箱规（每箱数量）", "A case barcode needs a pack quantity"),
    "import.pack_qty_mismatch": ("箱规有 {pack_qtys} 个，箱码有 {case_barcodes} 个：箱规填一个（所有箱码相同）或每个箱码一个", "{pack_qtys} pack quantities for {case_barcodes} case barcodes: give one for all, or one per case barcode"),
    "import.stock_exists": ("商品 {sku} 在库位 {bin} 已有库存 {on_hand}；期初库存只能导入空库位，差异请用盘点调整", "SKU {sku} already has {on_hand} in bin {bin}; opening stock goes into empty bins only (correct differences with a stocktake)"),
    # commit
    "import.stale_plan": ("预检之后数据已被他人修改，没有导入任何行，请重新导入", "The store changed after the dry run; nothing was imported, run the import again"),
    "export.unknown_kind": ("未知的导出类型：{kind}", "Unknown export kind: {kind}"),
    "export.unknown_format": ("导出文件名必须以 .xlsx 或 .csv 结尾：{path}", "The export file name must end in .xlsx or .csv: {path}"),
}

# ---- sync (the protocol and its merge rules) --------------------------------------------------------
MESSAGES.update({
    "sync.unknown_kind": ("未知的操作类型：{kind}", "Unknown operation kind: {kind}"),
    "sync.bad_version": ("操作 {kind} 的版本 {version} 不受支持（当前 {current}）", "Version {version} of {kind} is not supported (current {current})"),
    "sync.bad_envelope": ("操作格式错误：{reason}", "Malformed operation: {reason}"),
    "sync.batch_too_large": ("一次最多推送 {limit} 个操作，收到 {count} 个", "At most {limit} operations per push, got {count}"),
    "sync.body_too_large": ("请求内容超过 {limit} 字节", "Request body exceeds {limit} bytes"),
    "sync.bad_json": ("请求不是有效的 JSON：{reason}", "The request is not valid JSON: {reason}"),
    "sync.replayed_different_payload": ("操作 {op_id} 已用不同的内容提交过，本次不执行", "Operation {op_id} was already submitted with a different payload; not applied"),
    "sync.wrong_device": ("操作属于设备 {op_device}，不是当前设备 {device}", "The operation belongs to device {op_device}, not to this device {device}"),
    "sync.bad_cursor": ("同步游标无效：{cursor}", "Invalid sync cursor: {cursor}"),
    "device.unauthorized": ("设备未登录或令牌无效，请重新注册设备", "The device token is missing or invalid; enrol the device again"),
    "device.revoked": ("设备已被停用，请联系管理员", "This device has been revoked; contact an administrator"),
    "device.bad_enrolment_code": ("注册码无效、已使用或已过期", "The enrolment code is invalid, used or expired"),
    "device.not_found": ("找不到设备：{device}", "Unknown device: {device}"),
    "task.not_found": ("找不到任务：{task}", "Unknown task: {task}"),
    "task.claimed_by_other": ("任务 {task} 已被其他设备领取", "Task {task} was claimed by another device"),
    "task.bad_state": ("任务 {task} 当前状态为 {state}，不能{action}", "Task {task} is {state}: cannot {action}"),
    "user.duplicate": ("用户名 {username} 已存在", "Username {username} already exists"),
    "user.not_found": ("找不到用户：{username}", "Unknown user: {username}"),
    "master.not_found": ("找不到要修改的记录：{entity} {entity_id}", "Nothing to edit: {entity} {entity_id}"),
    "master.lww_lost": ("{field} 的修改 {value} 晚于其他设备的修改到达但时间更早，未生效（已记录）", "The edit of {field} to {value} is older than another device's edit and did not take effect (kept on record)"),
})

# ---- sync, device side (sync.transport, sync.client): failures the handheld itself detects ----------
MESSAGES.update({
    "sync.insecure_transport": ("拒绝通过不加密的连接发送数据：{url}（只有本机地址可以用 http://，请改用 https://）", "Refusing to send over an unencrypted connection: {url} (only loopback addresses may use http://; use https://)"),
    "sync.network": ("无法连接服务器：{reason}", "Cannot reach the server: {reason}"),
    "sync.server_unavailable": ("服务器暂时不可用（HTTP {status}），稍后自动重试", "The server is unavailable (HTTP {status}); it will be retried"),
    "sync.bad_response": ("服务器的应答无法识别：{reason}", "Unexpected answer from the server: {reason}"),
    "sync.refused": ("服务器拒绝了请求（HTTP {status}，{code}）", "The server refused the request (HTTP {status}, {code})"),
    "sync.not_enrolled": ("设备尚未注册，请先注册设备", "This device is not enrolled yet; enrol it first"),
})
