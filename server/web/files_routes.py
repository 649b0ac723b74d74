"""Import (upload → dry run → rejected rows → confirm), export (XLSX/CSV) and printing (PDF labels, pick lists, ZPL)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.web import export_pages, import_pages, label_pages
from server.web.forms import accept_uploads
from server.web.routing import page

# Path parameters are only ids the security matrix knows (``task_id``); the import's token and file
# names travel in the query or the form.
ROUTES: list[BaseRoute] = [
    page("/import", import_pages.show, permission="import.run", name="import"),
    accept_uploads(page("/import", import_pages.upload, permission="import.run", methods=["POST"], name="import_upload")),
    page("/import/template", import_pages.template_file, permission="import.run", name="import_template"),
    page("/import/report", import_pages.report, permission="import.run", name="import_report"),
    page("/import/rejected", import_pages.rejected_file, permission="import.run", name="import_rejected"),
    page("/import/confirm", import_pages.confirm, permission="import.run", methods=["POST"], name="import_confirm"),
    page("/import/discard", import_pages.discard, permission="import.run", methods=["POST"], name="import_discard"),
    page("/export", export_pages.show, permission="export.run", name="export"),
    page("/labels", label_pages.show, permission="labels.print", name="labels"),
    page("/labels/pick/{task_id}", label_pages.pick_list_pdf, permission="labels.print", name="labels_pick"),
]
