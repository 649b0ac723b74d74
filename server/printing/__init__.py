"""Printing: labels and pick lists, drawn from plain data.

    model       what is printed: BinLabel, SkuLabel, PickSheet; the barcode symbology of a SKU label
    pdf_labels  bin and SKU labels as PDF (reportlab): 50×30 mm pages or A4 sheets of 36
    pick_list   a pick task's list as an A4 PDF, lines in walking order with a tick-box column
    zpl         the same labels for thermal printers (ZPL II, UTF-8, text fields escaped)
    sources     the store read into that data (the one module here that reads the store)

CJK text uses reportlab's built-in CID font ``STSong-Light`` (no font file needed); barcodes are drawn
by ``reportlab.graphics.barcode`` (Code 128, EAN-13).
"""
