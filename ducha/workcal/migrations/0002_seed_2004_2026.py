"""Seeds the calendar years 2004–2026 from the `chinesecalendar` package.

The package carries the State Council holiday notices as data (holidays including the
weekend days inside a span; make-up working weekends). Only 2004..2026 are taken even
if a later package version knows more: a new year must arrive through an import that an
administrator reviews, records and dates (`ducha calendar import`), not as a side effect
of upgrading a dependency.

Known data caveat (reference/integrations.md §7): chinesecalendar and `holidays` disagree
on exactly one day of 2004–2026, 2005-12-31; chinesecalendar's reading is kept.

Notice titles: from 2008 on each year had a 《国务院办公厅关于 YYYY 年部分节假日安排的通知》.
For 2004–2007 the holidays followed the 全国年节及纪念日放假办法 and yearly arrangements
issued in other forms; the same generic title is used for them, as a label only.
"""

from django.db import migrations
from django.utils import timezone

FIRST_YEAR = 2004
LAST_YEAR = 2026


def _package():
    import chinese_calendar
    from chinese_calendar import constants

    version = getattr(chinese_calendar, "__version__", "")
    return constants, f"chinesecalendar {version}".strip()


def _chinese_name(constants, english):
    try:
        return constants.Holiday(english).chinese
    except ValueError:
        return english


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("workcal", "CalendarYear")
    CalendarDay = apps.get_model("workcal", "CalendarDay")
    CalendarEvent = apps.get_model("workcal", "CalendarEvent")
    constants, source = _package()
    now = timezone.now()
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if CalendarYear.objects.filter(year=year).exists():
            continue
        notice = f"国务院办公厅关于{year}年部分节假日安排的通知"
        cy = CalendarYear.objects.create(
            year=year, notice=notice, notice_number="", source=source, loaded_at=now, version=1
        )
        days = [
            CalendarDay(year=cy, date=d, kind=kind, name=_chinese_name(constants, name), source=source)
            for kind, table in (("holiday", constants.holidays), ("makeup_workday", constants.workdays))
            for d, name in table.items()
            if d.year == year
        ]
        CalendarDay.objects.bulk_create(days)
        CalendarEvent.objects.create(
            year=year,
            action="seed",
            notice=notice,
            source=source,
            holidays=sum(1 for d in days if d.kind == "holiday"),
            makeup_workdays=sum(1 for d in days if d.kind == "makeup_workday"),
        )


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("workcal", "CalendarYear")
    CalendarEvent = apps.get_model("workcal", "CalendarEvent")
    seeded = CalendarYear.objects.filter(
        year__gte=FIRST_YEAR, year__lte=LAST_YEAR, source__startswith="chinesecalendar"
    )
    CalendarEvent.objects.filter(action="seed", year__in=seeded.values("year")).delete()
    seeded.delete()


class Migration(migrations.Migration):
    dependencies = [("workcal", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
