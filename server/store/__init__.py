"""The central store: SQLAlchemy Core on SQLite (default) or PostgreSQL. All server SQL lives here,
one module per domain; queries are named functions that return domain dataclasses or plain rows."""
