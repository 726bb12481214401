"""A unit reports a rectification done (整改完成, S2.7).

A rectification raised by a returned completion claim is done when the unit claims again (the
claim step marks it); one raised by a June check flag, a 督查通知 or a supervision round's
finding is put right while the matter runs on, so the unit reports it done by itself. The day
it is reported is the day the rectification rate counts (on time: on or before its due date).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.matters.models import MatterEvent, Rectification
from ducha.org.models import User
from ducha.org.roles import UNIT_ROLES
from ducha.workcal import service as workcal


class RectifyError(ValueError):
    pass


def do_report_rectified(*, actor: User, rectification_id: int, note: str, today: date | None = None) -> Rectification:
    """The unit owing the rectification reports it done today, saying what was done."""
    rect = Rectification.objects.select_related("matter").filter(pk=rectification_id).first()
    if rect is None or actor.role not in UNIT_ROLES or actor.unit_id != rect.unit_id:
        raise Http404("No such rectification")
    if not note.strip() or len(note) > 2000:
        raise RectifyError(_("Say what was put right (at most 2000 characters)."))
    today = today or workcal.today()
    with transaction.atomic():
        if Rectification.objects.filter(pk=rect.pk, rectified_on__isnull=True).update(rectified_on=today) != 1:
            raise RectifyError(_("This rectification has been reported done already."))
        MatterEvent.objects.create(matter=rect.matter, actor=actor, action="rectified", reason=note.strip(),
                                   data={"rectification": rect.pk, "source": rect.source,
                                         "due": rect.due_date.isoformat(), "on": today.isoformat()})
        record(actor=actor, action="matters.rectified", obj_type="matters.Rectification", obj_id=rect.pk,
               before={"rectified_on": None}, after={"rectified_on": today.isoformat()})
    rect.refresh_from_db()
    return rect
