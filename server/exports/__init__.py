"""Exporting the central store to files people open in Excel.

    catalogue_export   SKUs, bins and stock to XLSX (text cells for codes) or CSV (UTF-8 with BOM,
                       formula-injection escaped), streamed
    movement_export    movements for a date range, with the same writers
    import_templates   blank import templates (Chinese headers; XLSX cells formatted as text)

``erp export`` drives it.
"""
