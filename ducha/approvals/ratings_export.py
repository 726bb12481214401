"""好差评 export for the provincial platform (format: docs/ratings-export.md).

One row per rating, keyed as the provincial platforms key them (reference §1.4: 办件编号, 事项编码
and version, department, area, node 1 收件 / 2 办结, channel, rated staff).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from ducha.approvals.models import Node, ServiceRating

FIELDS = ("affair_id", "receipt_number", "item_code", "item_version", "item_name", "depart_code", "depart_name",
          "area_code", "node", "channel", "level", "level_words", "reason", "rated_staff", "rated_at",
          "defaulted", "discounted")
FORMAT_VERSION = 1


def rows(ratings: QuerySet[ServiceRating]) -> list[dict[str, Any]]:
    out = []
    for r in ratings.select_related("application__version__item", "application__area", "unit", "staff").order_by("id"):
        app = r.application
        out.append({
            "affair_id": app.pk, "receipt_number": app.receipt_number, "item_code": app.version.item.code,
            "item_version": app.version.version, "item_name": app.version.name, "depart_code": r.unit.code,
            "depart_name": r.unit.name, "area_code": app.area.code if app.area is not None else "",
            "node": 1 if r.node == Node.RECEIVED else 2, "channel": r.channel, "level": r.level,
            "level_words": r.words, "reason": r.reason, "rated_staff": r.staff.username if r.staff else "",
            "rated_at": timezone.localtime(r.rated_at).isoformat(timespec="seconds"),
            "defaulted": int(r.defaulted), "discounted": int(r.discounted)})
    return out


def month_ratings(start: date, end: date) -> QuerySet[ServiceRating]:
    return ServiceRating.objects.filter(rated_on__gte=start, rated_on__lte=end)


def write_csv(data: list[dict[str, Any]], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(data)


def to_json(data: list[dict[str, Any]], month: str) -> dict[str, Any]:
    return {"format": "ducha-ratings", "version": FORMAT_VERSION, "month": month, "count": len(data),
            "ratings": data}


def write_json(data: list[dict[str, Any]], month: str, out: IO[str]) -> None:
    json.dump(to_json(data, month), out, ensure_ascii=False, indent=1)
