"""The handheld app (Flet) over a local SQLite replica; may import ``shared`` and ``sync``, never
``server``. Built by the handheld issue."""
