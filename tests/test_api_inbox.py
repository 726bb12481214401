"""Issue #11 item 29: the inbox (站内消息), the reminders and the escalation records over the
REST API. A person's inbox is their own; reminders are read on the matters the caller sees.

The S1.4 city of test_letters_s1_4: fgw (sam) leads a matter whose co-unit czj (carl) is
late from 2026-10-08; victor's portfolio is {fgw, wancheng}; walt works for wancheng.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ducha.inbox.models import Notification
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.reminders.models import Reminder
from tests.reminders_helpers import reference_data  # noqa: F401 - a fixture
from tests.test_letters_s1_4 import scan, slow  # noqa: F401 - a fixture

DAY = date(2026, 10, 8)


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def walt(city):
    return User.objects.create_user(username="walt", password="x-pw-for-tests", name="Walt", role=Role.UNIT_STAFF,
                                    unit=city.units["wancheng"])


def test_item_29_the_inbox_is_ones_own(city, clock):
    clock.set(DAY)
    mine = [Notification.objects.create(user=city.sam, title=f"提醒{i}", body="请及时报送进展") for i in range(3)]
    other = Notification.objects.create(user=city.carl, title="配合单位提醒", body="请加快推进")
    sam = api(city.sam)
    page = sam.get("/api/inbox?limit=2").json()
    assert [n["id"] for n in page["items"]] == [mine[0].pk, mine[1].pk] and page["unread"] == 3
    assert sam.get(f"/api/inbox?after={page['next_after']}").json()["items"][0]["id"] == mine[2].pk

    read = sam.post(f"/api/inbox/{mine[0].pk}/read", {}, content_type="application/json")
    assert read.status_code == 200 and read.json()["read_at"]
    assert [n["id"] for n in sam.get("/api/inbox?unread=true").json()["items"]] == [mine[1].pk, mine[2].pk]
    unread_again = sam.post(f"/api/inbox/{mine[0].pk}/read", {"read": False}, content_type="application/json")
    assert unread_again.json()["read_at"] is None
    # Another person's message is not found, and stays unread.
    assert sam.post(f"/api/inbox/{other.pk}/read", {}, content_type="application/json").status_code == 404
    assert other.pk not in [n["id"] for n in sam.get("/api/inbox").json()["items"]]

    assert sam.post("/api/inbox/read-all").json() == {"marked": 3}
    assert sam.get("/api/inbox").json()["unread"] == 0
    other.refresh_from_db()
    assert other.read_at is None and api(city.carl).get("/api/inbox").json()["unread"] == 1


def test_item_29_reminders_are_read_on_the_matters_one_sees(city, slow, walt, clock):  # noqa: F811
    scan(DAY)
    clock.set(DAY)
    expected = set(Reminder.objects.filter(matter=slow.matter).values_list("pk", flat=True))
    assert expected
    for who in ("sam", "carl", "victor", "mayor", "alice"):
        items = api(city.people[who]).get("/api/reminders?limit=200").json()["items"]
        assert {r["id"] for r in items} == expected, who
    co_unit = api(city.sam).get(f"/api/reminders?matter={slow.matter.pk}&kind=co_unit").json()["items"]
    assert co_unit and all(r["co_unit"]["name"] == "市财政局" for r in co_unit)
    assert api(walt).get("/api/reminders").json()["items"] == []
    assert api(walt).get(f"/api/reminders?matter={slow.matter.pk}").json()["items"] == []
    assert api(city.sysop).get("/api/reminders").status_code == 404
    escalations = api(walt).get("/api/reminders/escalations").json()
    assert escalations == {"urges": [], "accountability": []}


def test_item_29_inbox_and_reminder_lists_cost_the_same_for_few_or_many(city, slow, clock):  # noqa: F811
    clock.set(DAY)
    sam = api(city.sam)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert sam.get(url).status_code == 200
        return len(ctx)

    scan(date(2026, 10, 8))
    reminder = Reminder.objects.first()
    Notification.objects.create(user=city.sam, reminder=reminder, title="t", body="b")
    queries("/api/inbox")
    inbox, reminders = queries("/api/inbox?limit=200"), queries("/api/reminders?limit=200")
    Notification.objects.bulk_create([Notification(user=city.sam, title=f"t{i}", body="b") for i in range(20)])
    scan(date(2026, 10, 15))
    scan(date(2026, 11, 2))
    assert Reminder.objects.count() > 1
    assert queries("/api/inbox?limit=200") == inbox
    assert queries("/api/reminders?limit=200") == reminders


def test_item_29_the_calendar_counts_working_days_as_the_calendar_page_does(city, clock):
    """The calendar page's "N working days after" over the API: across National Day 2026 and the
    make-up Saturday 10-10, as S1.13 and every reminder count them."""
    clock.set(DAY)
    client = api(city.carl)
    answer = client.get("/api/calendar/add-workdays?start=2026-09-28&n=3").json()
    assert (answer["due_date"], answer["provisional"]) == ("2026-10-08", False)
    assert "2026-10-08" in answer["explanation"]
    page = client.get("/calendar/?start=2026-09-28&n=3")
    assert page.context["calc_due"] == date(2026, 10, 8)
    assert client.get("/api/calendar/add-workdays?start=2026-09-28&n=0").status_code == 422
    uncovered = client.get("/api/calendar/add-workdays?start=2999-12-01&n=5").json()
    assert uncovered["due_date"] is None and "待确认" in uncovered["explanation"]
