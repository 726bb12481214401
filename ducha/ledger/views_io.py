"""Ledger files: the Excel export and import (with its progress page), and the 督查通知
a unit receives (its list, its page, its .docx and PDF).

The import page posts the file, which becomes a job for the worker (Django Tasks): no web
request reads or writes the ledger. The job page polls the job's progress row every second
(htmx), shows the check's result, and asks the office to confirm before anything is written.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ducha.ledger import actions
from ducha.ledger.access import access_import_job_by_id, access_notice_by_id, runs_ledger, runs_phase, visible_notices
from ducha.ledger.excel import export_ledger, ledger_choices, ledger_title, write_ledger
from ducha.ledger.import_file import max_file_bytes, max_rows
from ducha.ledger.import_job import do_confirm_ledger_import
from ducha.ledger.models import JobStatus, LedgerCheckFlag, LedgerImportJob, Phase
from ducha.ledger.planning import is_closed
from ducha.ledger.tasks import enqueue_import
from ducha.ledger.views import _reader
from ducha.matters.access import visible_matters
from ducha.workcal import service as workcal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHOWN_ERRORS = 200


def _xlsx_response(path: str, filename: str) -> FileResponse:
    # The temporary file is unlinked already; the open handle keeps it readable until sent.
    handle = open(path, "rb")  # noqa: SIM115 -- FileResponse closes it
    Path(path).unlink()
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


@login_required
@require_GET
def export(request: HttpRequest, year: int) -> FileResponse:
    """The ledger of the matters the caller may see (a unit gets its own part)."""
    user = _reader(request)
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as tmp:
        path = tmp.name
    export_ledger(path, year=year, matters=visible_matters(user), today=workcal.today())
    return _xlsx_response(path, f"{ledger_title(year)}.xlsx")


@login_required
@require_GET
def template(request: HttpRequest, year: int) -> FileResponse:
    """An empty ledger with the headers the import recognises."""
    _reader(request)
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as tmp:
        path = tmp.name
    write_ledger(path, year, (), 0, ledger_choices())
    return _xlsx_response(path, f"{ledger_title(year)}（模板）.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_form(request: HttpRequest, year: int) -> HttpResponse:
    user = _reader(request)
    if not runs_ledger(user):
        raise Http404("Only the supervision office imports the ledger")
    error = ""
    if is_closed(year):
        error = _("The %(year)s ledger is closed: its matters can no longer be imported or changed.") % {"year": year}
    elif request.method == "POST":
        upload = request.FILES.get("file")
        name = (upload.name or "") if upload is not None else ""
        if upload is None:
            error = _("Choose an .xlsx file.")
        elif not name.lower().endswith(".xlsx"):
            error = _("Only .xlsx files can be imported (Excel 2007 or later); save .xls or .et files as .xlsx first.")
        elif upload.size is not None and upload.size > max_file_bytes():
            error = _("The file is larger than %(mb)d MB.") % {"mb": max_file_bytes() // 2**20}
        else:
            job = LedgerImportJob(year=year, original_name=name[:200], created_by=user)
            job.file.save(f"{year}-{user.pk}.xlsx", upload, save=False)
            job.save()
            enqueue_import(job.pk)
            return redirect("ledger:import-job", job_id=job.pk)
    return render(request, "ledger/import.html", {"year": year, "error": error, "max_mb": max_file_bytes() // 2**20,
                                                  "max_rows": max_rows()},
                  status=400 if error and request.method == "POST" else 200)


def _job_context(job: LedgerImportJob) -> dict[str, object]:
    return {"job": job, "errors": job.errors[:MAX_SHOWN_ERRORS], "more_errors": max(job.error_count - MAX_SHOWN_ERRORS, 0),
            "active": job.status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.CONFIRMED)}


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_import_job_by_id(request.user, job_id)
    return render(request, "ledger/import_job.html", {**_job_context(job), "year": job.year})


@login_required
@require_POST
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    """The write, once the office has read the check's result: queued for the worker."""
    user = _reader(request)
    job = access_import_job_by_id(user, job_id)
    try:
        do_confirm_ledger_import(actor=user, job=job)
    except actions.LedgerError:
        raise Http404("No such action") from None
    return redirect("ledger:import-job", job_id=job.pk)


@login_required
@require_GET
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_import_job_by_id(request.user, job_id)
    return render(request, "ledger/_job_status.html", _job_context(job))


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    notices = visible_notices(user).select_related("unit", "ledger_year", "read_by").order_by("-issued_at", "-id")
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    return render(request, "ledger/notice_list.html", {"page": page})


@login_required
@require_GET
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = _reader(request)
    notice = actions.do_read_notice(user=user, notice=access_notice_by_id(user, notice_id))
    flags = LedgerCheckFlag.objects.filter(notice=notice, phase=Phase.RECONCILIATION).select_related(
        "matter", "rectification").order_by("matter__number")
    return render(request, "ledger/notice_detail.html", {
        "notice": notice, "flags": flags, "runs": runs_ledger(user) or runs_phase(user, Phase.RECONCILIATION)})


@login_required
@require_GET
def notice_file(request: HttpRequest, notice_id: int, kind: str) -> FileResponse:
    user = _reader(request)
    notice = access_notice_by_id(user, notice_id)
    field = {"docx": notice.docx_file, "pdf": notice.pdf_file}.get(kind)
    if not field:
        raise Http404("No such file")
    actions.do_read_notice(user=user, notice=notice)
    content_type = "application/pdf" if kind == "pdf" else (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return FileResponse(field.open("rb"), as_attachment=kind == "docx", filename=f"{notice.number}.{kind}",
                        content_type=content_type)


@login_required
@require_POST
def notice_render(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = _reader(request)
    notice = access_notice_by_id(user, notice_id)
    try:
        ok = actions.do_render_notice(actor=user, notice=notice)
    except actions.LedgerError:
        raise Http404("No such action") from None
    if ok:
        messages.success(request, _("The documents were generated."))
    else:
        messages.error(request, _("The documents could not be generated; see the problem below."))
    return redirect("ledger:notice", notice_id=notice.pk)
