"""``/app/import``: upload a CSV or XLSX file → dry-run report → rejected rows with reasons → confirm.

    GET  /import                              the form (kind, file) and the templates to download
    GET  /import/template?kind=&format=       a blank template (XLSX or CSV, Chinese headers)
    POST /import                              multipart upload: stage the file, plan it, 303 to the report
    GET  /import/report?token=                the report: counts, what would be created, rejected rows
    GET  /import/rejected?token=&file=        rejected.csv / rejected.xlsx (rows as in the file + reasons)
    POST /import/confirm   (token)            plan again; commit only if the plan is the one shown
    POST /import/discard   (token)            forget the upload

The upload stays on the server (``server.imports.staging``), bound to the session that made it, for
an hour. Permission ``import.run`` counts only when held everywhere (``permissions.GLOBAL_ONLY``): an
import writes to the shared catalogue or to any warehouse the file names.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import RedirectResponse, Response

from server.exports import import_templates
from server.imports import catalogue_import, staged_import, staging
from server.imports.catalogue_import import ImportPlan
from server.imports.staging import Staged, Staging
from server.web.downloads import bytes_download, file_download
from server.web.forms import MAX_UPLOAD_BYTES, uploaded
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.core.errors import DomainError, NotFoundError, ValidationError

STAGING = Staging(staging.default_root())
REJECTED_FILES = {"rejected.csv": "text/csv; charset=utf-8", "rejected.xlsx": import_templates.MEDIA_TYPES["xlsx"]}


def show(ctx: Ctx) -> Response:
    imported = ctx.request.query_params.get("imported", "")
    return ctx.render("files/import.html", kinds=catalogue_import.KINDS, limit_mib=MAX_UPLOAD_BYTES // (1024 * 1024),
                      imported=int(imported) if imported.isdigit() else None)


def template_file(ctx: Ctx) -> Response:
    kind, fmt = ctx.request.query_params.get("kind", ""), ctx.request.query_params.get("format", "")
    content, media_type = import_templates.template(catalogue_import.check_kind(kind[:40]), fmt[:40])
    return bytes_download(content, f"导入模板_{kind}.{fmt}", media_type)


def upload(ctx: Ctx) -> Response:
    kind = catalogue_import.check_kind(ctx.form.get("kind", ""))
    file = uploaded(ctx.request, "file")
    if file is None or (not file.filename and not file.content):
        raise ValidationError("web.files.no_file")
    staged_import.check_upload(file.filename, file.content)
    staged = STAGING.put(ctx.signed_in.session.id, file.content, {"kind": kind, "filename": file.filename,
                                                                  "size": file.size}, now_s=ctx.now.timestamp())
    try:
        plan, file_format = _plan(ctx, staged)
        if plan.rejected:
            catalogue_import.write_rejected_csv(plan, STAGING.path(staged, "rejected.csv"))
            staged_import.write_rejected_xlsx(plan, STAGING.path(staged, "rejected.xlsx"))
        staged.meta.update(staged_import.summary(plan), fingerprint=staged_import.fingerprint(plan), file_format=file_format)
        STAGING.save(staged)
    except DomainError:
        STAGING.discard(staged.token)
        raise
    return RedirectResponse(f"{PREFIX}/import/report?token={staged.token}", status_code=303)


def report(ctx: Ctx) -> Response:
    staged = _staged(ctx, ctx.request.query_params.get("token", ""))
    return ctx.render("files/import_report.html", token=staged.token, meta=staged.meta,
                      shown=staged_import.SHOWN_REJECTED, files=list(REJECTED_FILES))


def rejected_file(ctx: Ctx) -> Response:
    staged = _staged(ctx, ctx.request.query_params.get("token", ""))
    name = ctx.request.query_params.get("file", "")
    if name not in REJECTED_FILES or not STAGING.path(staged, name).is_file():
        raise NotFoundError("web.files.unknown_file", name=name[:40])
    stem = Path(str(staged.meta.get("filename", ""))).stem or "import"
    return file_download(STAGING.path(staged, name), f"{stem}.{name}", REJECTED_FILES[name])


def confirm(ctx: Ctx) -> Response:
    staged = _staged(ctx, ctx.form.get("token", ""))
    plan, _ = _plan(ctx, staged)
    if not plan.accepted:
        raise ValidationError("web.files.nothing_to_import")
    count = staged_import.commit(plan, str(staged.meta.get("fingerprint", "")), ctx.store,
                                 accept_partial=ctx.form.get("accept_partial") == "1")
    STAGING.discard(staged.token)
    return RedirectResponse(f"{PREFIX}/import?imported={count}", status_code=303)


def discard(ctx: Ctx) -> Response:
    STAGING.discard(_staged(ctx, ctx.form.get("token", "")).token)
    return RedirectResponse(f"{PREFIX}/import", status_code=303)


def _staged(ctx: Ctx, token: str) -> Staged:
    return STAGING.get(token, ctx.signed_in.session.id, now_s=ctx.now.timestamp())


def _plan(ctx: Ctx, staged: Staged) -> tuple[ImportPlan, str]:
    settings = getattr(ctx.request.state, "settings", None)
    max_bytes = min(MAX_UPLOAD_BYTES, settings.import_max_bytes) if settings is not None else MAX_UPLOAD_BYTES
    return staged_import.plan_file(str(staged.meta["kind"]), STAGING.path(staged, staging.UPLOAD), ctx.store,
                                   max_bytes=max_bytes)
