"""The handheld's flows as plain services: screens call them, tests drive them, no UI inside.

    scan_input   WedgeInput: keyboard-wedge bursts, double-read debounce
    session      DeviceSession: replica, enrolment, users and PINs, language, home, sync now
    context      FlowContext: what a flow works with (from ``DeviceSession.context()``)
    feedback     Feedback: what every scan or action answers (catalogue codes, zh-CN and English)
    receive      ReceiveFlow: expected or unplanned receipts onto the dock, then putaway
    pick         PickFlow: pick tasks in walking order, shorts, sort-while-picking slots
    move         MoveFlow: bin-to-bin moves
    transfer     TransferShipFlow, TransferReceiveFlow: warehouse transfers (also a store receiving)
    stocktake    StocktakeFlow: blind counts per bin, recounts
    lookup       LookupFlow: what a code is; stock per bin, recent movements, shelf price in a store
    home         WorkCounts, SyncStatus, Home: the home screen's figures
    errors       typed errors (screen bugs, not operator mistakes): NotSignedIn, FlowStateError, …
    reads        read-only replica queries (receipts, transfers, stocktakes, users…), rebased on read
    prefs        device values kept across restarts (language, PIN lock-out, last sync)
    pick_lines   pick progress rebuilt from the outbox (pure)

Rules: every accepted scan records its op (and local effect) in one replica transaction through
``Replicator.record`` before its feedback returns; a refused scan writes nothing. Time comes from the
injected ``now_ms``. ``client`` imports ``shared`` and ``sync`` only.
"""
