"""The pure domain shared by the handheld client and the server (no I/O)."""
