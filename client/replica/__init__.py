"""The handheld's local SQLite replica: server state as pulled, the outbox of ops made here, and the
reads the screens need (server state rebased with pending ops). See ``client.replica.db``."""

from client.replica.db import Replica, open_replica
from client.replica.outbox import LOCAL_TABLES, OutboxEntry
from client.replica.views import LocalCount, ReplicaScanIndex, StockLine, TaskView

__all__ = ["LOCAL_TABLES", "LocalCount", "OutboxEntry", "Replica", "ReplicaScanIndex", "StockLine", "TaskView",
           "open_replica"]
