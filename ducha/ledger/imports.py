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
from datetime import date
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.bulk import insert_rows
from ducha.ledger.actions import LedgerError, can_import_ledger
from ducha.ledger.importing import ImportPlan, LedgerFileError, LedgerImportRefused, parse_ledger
from ducha.ledger.models import JobStatus, LedgerEvent, LedgerImportJob, LedgerYear, Phase
from ducha.ledger.validation import Lookups, RowValues
from ducha.matters.models import CoUnitPart, Matter, MatterEvent, Status
from ducha.matters.numbering import take_matter_numbers
from ducha.org.models import User

log = logging.getLogger(__name__)
CO_UNIT_PART = "配合牵头单位完成本事项"  # a ledger lists co-units by name only; the part is refined on the matter
MAX_STORED_ERRORS = 2000


def _matter_fields(r: RowValues) -> dict[str, Any]:
    return {
        "title": r.title, "source": r.source, "source_ref": r.source_ref, "lead_unit_id": r.lead_unit_id,
        "responsible_leader_id": r.leader_id, "goal": r.goal, "target_quantity": r.target_quantity,
        "target_unit": r.target_unit, "qualitative_standard": r.qualitative_standard, "start_date": r.start_date,
        "due_date": r.due_date, "instruction_text": r.instruction_text,
    }


def _due(r: RowValues) -> date:
    assert r.due_date is not None  # required by validation
    return r.due_date


def _number_new_rows(year: int, plan: ImportPlan) -> None:
    # The file's own 编号 move the register past them; the unnumbered rows take theirs from it.
    pattern = re.compile(rf"^DB{year}-(\d+)$")
    given = [int(m[1]) for r in plan.new if r.number and (m := pattern.match(r.number))]
    unnumbered = [r for r in plan.new if not r.number]
    for r, number in zip(unnumbered, take_matter_numbers(year, len(unnumbered), given=given), strict=True):
        r.number = number


MATTER_COLUMNS = ("year", "number", "status", "created_by_id", "title", "source", "source_ref", "lead_unit_id",
                  "responsible_leader_id", "goal", "target_quantity", "target_unit", "qualitative_standard",
                  "start_date", "due_date", "instruction_text")


def _insert_new(actor: User, year: int, rows: list[RowValues], note: str) -> None:
    """The new draft matters, their co-unit parts and their creation events, as do_create_matter
    writes them, through prepared INSERTs (see ``ducha.bulk``)."""
    if not rows:
        return
    insert_rows(Matter, MATTER_COLUMNS, (
        (year, r.number, Status.DRAFT, actor.pk, r.title, r.source, r.source_ref, r.lead_unit_id, r.leader_id, r.goal,
         r.target_quantity, r.target_unit, r.qualitative_standard, r.start_date, r.due_date, r.instruction_text)
        for r in rows
    ))
    wanted = {r.number for r in rows}
    ids = {n: i for n, i in Matter.objects.filter(year=year).values_list("number", "id").iterator(10000)
           if n in wanted}
    insert_rows(CoUnitPart, ("matter_id", "unit_id", "part", "due_date"), (
        (ids[r.number], uid, CO_UNIT_PART, _due(r)) for r in rows for uid in r.co_unit_ids
    ))
    insert_rows(MatterEvent, ("matter_id", "actor_id", "action", "to_status", "data"), (
        (ids[r.number], actor.pk, "create", Status.DRAFT, {"due": str(r.due_date), "ledger_import": note, "row": r.row})
        for r in rows
    ))


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
            _insert_new(actor, year, plan.new, note)
            for r in plan.updates:
                _update_draft(actor, r, note)
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


def _update_draft(actor: User, r: RowValues, note: str) -> None:
    assert r.existing_id is not None
    rows = Matter.objects.filter(pk=r.existing_id, status=Status.DRAFT).update(
        updated_at=timezone.now(), **_matter_fields(r)
    )
    if rows != 1:
        raise LedgerError(_("Row %(row)s: matter %(number)s was assigned meanwhile; import again.") % {
            "row": r.row, "number": r.number})
    CoUnitPart.objects.filter(matter_id=r.existing_id).exclude(unit_id__in=r.co_unit_ids).delete()
    have = set(CoUnitPart.objects.filter(matter_id=r.existing_id).values_list("unit_id", flat=True))
    CoUnitPart.objects.bulk_create(
        CoUnitPart(matter_id=r.existing_id, unit_id=uid, part=CO_UNIT_PART, due_date=_due(r))
        for uid in r.co_unit_ids if uid not in have
    )
    if r.due_date is not None:
        CoUnitPart.objects.filter(matter_id=r.existing_id, due_date__gt=r.due_date).update(due_date=r.due_date)
    MatterEvent.objects.create(matter_id=r.existing_id, actor=actor, action="update",
                               data={"ledger_import": note, "row": r.row})


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
