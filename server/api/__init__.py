"""The JSON API (``/api/v1``). Routes are thin: parse, call the store in one transaction, render."""
