"""Writing an imported ledger, and the import job the page follows (S2.4 年初建账 from Excel).

The job runs in the worker, never in a web request (a 1,000,000-row file once held a request
for minutes): the upload queues its check as a Django task (``ducha.ledger.tasks``); the
page shows the check's result and the office confirms; the write is queued the same way and
checks the file again against the database as it is then. Reading and validating, the long
part, run outside any transaction and record progress on the job row, which the page polls
with htmx; writing is one transaction, so a refused or failed import leaves nothing.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.ledger.actions import LedgerError, can_import_ledger
from ducha.ledger.import_file import ImportPlan, LedgerFileError, LedgerImportRefused, parse_ledger
from ducha.ledger.models import JobStatus, LedgerEvent, LedgerImportJob, LedgerYear, Phase
from ducha.ledger.validation import Lookups
from ducha.matters.batch import do_create_draft_matters, do_update_draft_matter
from ducha.matters.errors import ConcurrentChange
from ducha.matters.numbering import take_matter_numbers
from ducha.org.models import User

log = logging.getLogger(__name__)
MAX_STORED_ERRORS = 2000


def _number_new_rows(year: int, plan: ImportPlan) -> None:
    # The file's own 编号 move the register past them; the unnumbered rows take theirs from it.
    pattern = re.compile(rf"^DB{year}-(\d+)$")
    given = [int(m[1]) for r in plan.new if r.number and (m := pattern.match(r.number))]
    unnumbered = [r for r in plan.new if not r.number]
    for r, number in zip(unnumbered, take_matter_numbers(year, len(unnumbered), given=given), strict=True):
        r.number = number


def do_import_ledger(*, actor: User, year: int, plan: ImportPlan, note: str = "") -> dict[str, int]:
    """Create the new rows as draft matters and update the matched drafts, all or nothing."""
    if not can_import_ledger(actor):
        raise LedgerError(_("Only the supervision office imports the ledger."))
    try:
        with transaction.atomic():
            row, _created = LedgerYear.objects.get_or_create(year=year)
            if row.closed_at is not None:
                raise LedgerError(_("The %(year)s ledger is closed: its matters can no longer be imported or changed.") % {"year": year})
            _number_new_rows(year, plan)
            do_create_draft_matters(actor=actor, year=year, drafts=plan.new, note=note)
            for r in plan.updates:
                assert r.existing_id is not None
                try:
                    do_update_draft_matter(actor=actor, matter_id=r.existing_id, values=r, note=note)
                except ConcurrentChange:
                    raise LedgerError(_("Row %(row)s: matter %(number)s was assigned meanwhile; import again.") % {
                        "row": r.row, "number": r.number}) from None
            counts = {"created": len(plan.new), "updated": len(plan.updates), "unchanged": plan.unchanged,
                      "rows": plan.rows_total}
            LedgerEvent.objects.create(ledger_year=row, phase=Phase.IMPORT, actor=actor, counts=counts, note=note[:200])
            record(actor=actor, action="ledger.import", obj_type="ledger.LedgerYear", obj_id=year, before=None,
                   after=counts, reason=note[:200])
    except IntegrityError as e:
        # the database's own words name tables and constraints: logged, not shown
        log.warning("ledger import: number conflict: %s", e)
        raise LedgerError(_("A number was taken while importing; try again.")) from e
    return counts


def import_file(*, actor: User, year: int, path: Path, note: str = "", progress: Any = None) -> dict[str, int]:
    """Validate then write; raises LedgerFileError, LedgerImportRefused or LedgerError."""
    plan = check_file(actor=actor, year=year, path=path, progress=progress)
    if progress:
        progress("writing", plan.rows_total, plan.rows_total)
    return do_import_ledger(actor=actor, year=year, plan=plan, note=note)


def check_file(*, actor: User, year: int, path: Path, progress: Any = None) -> ImportPlan:
    """Read and validate the whole file against the database as it is now; writes nothing."""
    if not can_import_ledger(actor):
        raise LedgerError(_("Only the supervision office imports the ledger."))
    if LedgerYear.objects.filter(year=year, closed_at__isnull=False).exists():
        raise LedgerError(_("The %(year)s ledger is closed: its matters can no longer be imported or changed.") % {"year": year})
    return parse_ledger(path, year, Lookups.load(), progress)


def plan_counts(plan: ImportPlan) -> dict[str, int]:
    """What writing the plan would do, in the figures the import's result reports."""
    return {"created": len(plan.new), "updated": len(plan.updates), "unchanged": plan.unchanged,
            "rows": plan.rows_total}


class _JobProgress:
    """Writes progress to the job row at most twice a second (each write is a committed UPDATE)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.last < 0.5:
            return
        self.stage, self.last = stage, now
        LedgerImportJob.objects.filter(pk=self.job_id).update(stage=stage, rows_done=done, rows_total=total)


def run_import_job(job_id: int) -> LedgerImportJob:
    """Run the job's next step once, in the worker: the check of a queued job, or the write of a
    confirmed one. A second call finds it no longer waiting and does nothing."""
    job = LedgerImportJob.objects.select_related("created_by").get(pk=job_id)
    writing = job.status == JobStatus.CONFIRMED
    if job.status not in (JobStatus.QUEUED, JobStatus.CONFIRMED) or not LedgerImportJob.objects.filter(
        pk=job_id, status=job.status
    ).update(status=JobStatus.RUNNING, started_at=timezone.now(), stage="reading", rows_done=0):
        return LedgerImportJob.objects.get(pk=job_id)
    outcome: dict[str, Any] = {"status": JobStatus.FAILED}
    path, progress = Path(job.file.path), _JobProgress(job.pk)
    try:
        if writing:
            counts = import_file(actor=job.confirmed_by or job.created_by, year=job.year, path=path,
                                 note=f"{job.original_name}（导入任务{job.pk}）", progress=progress)
            outcome = {"status": JobStatus.DONE, "stage": "done"}
        else:
            counts = plan_counts(check_file(actor=job.created_by, year=job.year, path=path, progress=progress))
            outcome = {"status": JobStatus.CHECKED, "stage": "checked"}
        outcome.update(counts=counts, rows_done=counts["rows"], rows_total=counts["rows"])
    except LedgerImportRefused as e:
        outcome["errors"] = [{"row": x.row, "column": x.column, "message": x.message}
                             for x in e.errors[:MAX_STORED_ERRORS]]
        outcome["error_count"] = len(e.errors)
    except (LedgerFileError, LedgerError) as e:
        outcome["errors"] = [{"row": None, "column": "", "message": str(e)}]
        outcome["error_count"] = 1
    except Exception:
        log.exception("ledger import job %s failed", job_id)
        outcome["errors"] = [{"row": None, "column": "", "message": _("Internal error while importing; it has been logged.")}]
        outcome["error_count"] = 1
    LedgerImportJob.objects.filter(pk=job_id).update(finished_at=timezone.now(), **outcome)
    return LedgerImportJob.objects.get(pk=job_id)


def do_confirm_ledger_import(*, actor: User, job: LedgerImportJob) -> bool:
    """The office has read the check's result and asks for the write; False when the job is no
    longer waiting for that (a second click, another person's confirmation)."""
    if not can_import_ledger(actor):
        raise LedgerError(_("Only the supervision office imports the ledger."))
    confirmed = bool(LedgerImportJob.objects.filter(pk=job.pk, status=JobStatus.CHECKED).update(
        status=JobStatus.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now(), stage="", rows_done=0,
    ))
    if confirmed:
        from ducha.ledger.tasks import enqueue_import  # the task module imports this one

        enqueue_import(job.pk)
    return confirmed
