"""The carrier side of fulfilment: e-waybills (电子面单) in the shape of Cainiao ``cainiao.waybill.ii.get``.

    shapes   the request and response shapes (pure): parties, package requests, validation, parsing
    app      a simulated carrier API (Starlette) for tests and demos: idempotent by ``object_id``
    client   the ERP's client: batches of at most 10, retries transient errors, cancel
"""
