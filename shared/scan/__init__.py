"""Scanning: what a scanned string is (SKU, bin, unique code, document), decided in one pure function."""
