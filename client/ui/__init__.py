"""The Flet handheld UI: thin screens over ``client.services``; one route table (``routes``), UI state
in one module (``state``), reusable widgets in ``components``."""
