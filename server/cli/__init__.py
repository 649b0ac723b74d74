"""The ``erp`` command line: serve, demo, import, export, check."""
