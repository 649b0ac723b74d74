"""Orders on the server: platform adapters (``adapters/``); the pull, review and fulfilment flows
plug in here in later slices."""
