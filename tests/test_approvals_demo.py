"""The demo city's applications (S3.3–S3.5): made through the actions on working days counted
back from today, so every state, acceptance by law (行政许可法 art. 32), a joint application
(S3.4) and both colours of card are there whatever the date; built twice, nothing changes."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.approvals.demo_applications import build_demo_applications
from ducha.approvals.demo_catalogue import build_demo_catalogue
from ducha.approvals.joint import combined_materials, fee_sheet
from ducha.approvals.models import (
    Application,
    ApplicationState,
    Card,
    Document,
    Event,
    Notice,
    Pause,
    StepRecord,
    StepState,
)
from ducha.org.demo import build_demo_organisation
from ducha.rules.identity import id_kind
from ducha.workcal.demo import build_demo_calendar


def _snapshot():
    return (sorted(Application.objects.values_list("receipt_number", "state", "accepted_on", "decided_on")),
            Event.objects.count(), Card.objects.count(), Document.objects.count(), StepRecord.objects.count())


@pytest.mark.parametrize("today", [date(2026, 10, 12), date(2027, 3, 15), date(2026, 10, 4)])
def test_s3_demo_applications_in_every_state_whatever_the_day(db, clock, today):
    clock.set(today)
    build_demo_calendar()
    build_demo_organisation()
    assert build_demo_catalogue()
    assert build_demo_applications() >= 15
    first = _snapshot()
    assert build_demo_applications() == 0
    assert _snapshot() == first

    apps = Application.objects.all()
    assert set(apps.values_list("state", flat=True)) == set(ApplicationState.values)
    assert all(id_kind(a.applicant_id) for a in apps)
    assert apps.filter(received_on__gt=today).count() == 0
    # art. 32: the platform accepted the one nobody answered, as of the day it came in
    deemed = apps.get(deemed_accepted=True)
    assert deemed.accepted_on == deemed.received_on
    assert Event.objects.filter(application=deemed, kind="deemed_accepted", actor__isnull=True).exists()
    # S3.5: delegated items were applied for in the counties, and handled there
    assert {"xixia", "dengzhou"} <= set(apps.filter(area__isnull=False).values_list("handling_unit__code", flat=True))
    # S3.4: one joint application, investment over the threshold, three departments in parallel
    joint = apps.get(joint=True)
    assert joint.version.item.code.startswith("GCJS-") and joint.investment >= 100_000_000
    assert joint.members.count() >= 2
    versions = [joint.version, *joint.members.all()]
    codes = [c.code for c in combined_materials(versions)]
    assert len(codes) == len(set(codes)) and joint.materials.count() == len(codes)
    lines, total = fee_sheet(versions)
    assert total == sum(ln.amount for ln in lines)
    running = StepRecord.objects.filter(application=joint, state=StepState.RUNNING)
    assert running.values("step__department").distinct().count() >= 2
    assert StepRecord.objects.filter(application=joint, state=StepState.DONE).count() >= 2
    # the window's and the departments' paper trail
    assert Notice.objects.filter(application__state=ApplicationState.NOTIFIED).exists()
    # a notice answered by 补正: accepted as of the day the last material came in
    completed = apps.filter(notices__isnull=False, state=ApplicationState.GRANTED).get()
    assert completed.accepted_on > completed.notices.get().given_on
    assert Pause.objects.filter(ended_on__isnull=True, reason="expert_review").exists()
    extended = apps.get(extension_days__gt=0)
    assert extended.extension_days == 10 and extended.extension_approved_by
    assert Pause.objects.filter(ended_on__isnull=False, application=extended).exists()  # art. 45, then resumed
    assert apps.get(state=ApplicationState.REFUSED).decision_reason
    assert apps.get(state=ApplicationState.NOT_ACCEPTED).decision_reason
    kinds = set(Document.objects.values_list("kind", flat=True))
    assert {"acceptance", "notice", "not_accepted", "grant", "refusal"} <= kinds
    # electronic supervision: the pass ran day by day, both colours are out
    assert set(Card.objects.values_list("colour", flat=True)) == {"yellow", "red"}
    assert Card.objects.filter(issued_on__lt=today).exists()
