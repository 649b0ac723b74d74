"""The catalogue: SKUs and their barcodes (GTINs and internal codes)."""
