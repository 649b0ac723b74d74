"""The sync protocol, both ends: operation envelope, hybrid logical clock use, codec, the client-side
outbox/replicator and the server-side applier with per-kind merge rules (``../shared/design/SYNC.md``).
Transport-agnostic; may import only ``shared``. Built by the sync issue; the HLC itself already lives
in ``shared.core.clock`` and the ledger it will apply to in ``server.store.ledger``."""
