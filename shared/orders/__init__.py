"""Orders: the canonical order every marketplace adapter produces, and the pure rules over it.

Pure domain (no I/O): ``model`` (the canonical order), ``status`` (platform status tables),
``money`` (platform money → integer fen), ``times`` (platform times → aware UTC), ``mask``
(receiver masking), ``platform_text`` (safe text from buyers), ``errors`` (typed ``order.*`` errors).
The adapters that read each platform's payloads live in ``server/orders/adapters``.
"""
