"""Exporting the central store to files people open in Excel.

    catalogue_export   SKUs, bins and stock to XLSX (text cells for codes) or CSV (UTF-8 with BOM,
                       formula-injection escaped), streamed

``erp export`` drives it.
"""
