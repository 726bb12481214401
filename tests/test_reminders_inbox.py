"""S5.1 reminders in the in-app inbox: the unread count on every page, read/unread, the
channel settings page, escalation records within the caller's scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ducha.inbox.models import Notification
from ducha.reminders import engine, outbox
from tests.reminders_helpers import at, reference_data, running_matter  # noqa: F401

pytestmark = pytest.mark.usefixtures("reference_data")
DUE = date(2026, 9, 30)


def remind(city, n: int = 1, today: date = date(2026, 10, 8)) -> None:
    for i in range(n):
        running_matter(city, due=DUE, title=f"事项{i}")
    engine.scan(now=at(today), today=today)
    outbox.deliver(now=at(today))


def test_s5_1_unread_count_on_every_page_and_read_unread(city, client):
    remind(city, 2)
    client.force_login(city.ursula)
    home = client.get("/").content.decode()
    assert 'data-testid="unread-count">2<' in home
    page = client.get("/inbox/").content.decode()
    assert page.count('data-testid="notification"') == 2 and "/matters/" in page
    first = Notification.objects.filter(user=city.ursula).first()
    client.post(f"/inbox/{first.id}/read/", {"read": "1"})
    assert 'data-testid="unread-count">1<' in client.get("/").content.decode()
    assert client.get("/inbox/?show=unread").content.decode().count('data-testid="notification"') == 1
    client.post(f"/inbox/{first.id}/read/", {"read": "0"})
    client.post("/inbox/read-all/")
    assert "unread-count" not in client.get("/").content.decode()


def test_someone_elses_message_is_not_found(city, client):
    remind(city)
    theirs = Notification.objects.filter(user=city.ursula).first()
    client.force_login(city.carl)
    assert client.post(f"/inbox/{theirs.id}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert 'data-testid="notification"' not in client.get("/inbox/").content.decode()


def test_inbox_queries_do_not_grow_with_messages(city, client, django_assert_max_num_queries):
    remind(city, 3)
    client.force_login(city.ursula)
    client.get("/inbox/")
    with CaptureQueriesContext(connection) as few:
        client.get("/inbox/")
    remind(city, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/inbox/")
    assert response.content.decode().count('data-testid="notification"') == 30
    mine = [q["sql"] for q in few.captured_queries if "inbox_notification" in q["sql"]]
    assert len(mine) == 3  # page count, page rows (reminder joined), unread badge


def test_preferences_page_saves_and_shows_masked_contacts(city, client):
    city.ursula.phone = "13812345678"
    city.ursula.save()
    client.force_login(city.ursula)
    page = client.get("/inbox/settings/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    client.post("/inbox/settings/", {"email": "on", "sms_only_urgent": "on"})
    pref = city.ursula.channel_preference
    assert (pref.email, pref.sms, pref.sms_only_urgent) == (True, False, True)


def test_s5_1_escalation_records_page_respects_scope(city, client):
    running_matter(city, due=DUE, last_progress=date(2026, 10, 19))
    engine.scan(now=at(date(2026, 10, 20)), today=date(2026, 10, 20))
    engine.scan(now=at(date(2026, 10, 13)), today=date(2026, 10, 13))  # order does not matter
    client.force_login(city.alice)
    page = client.get("/inbox/escalations/").content.decode()
    assert "DB2026-0001" in page and "逾期10个工作日" in page
    client.force_login(city.carl)
    assert "DB2026-0001" not in client.get("/inbox/escalations/").content.decode()
    client.force_login(city.sysop)
    assert client.get("/inbox/escalations/").status_code == 404


def test_item_17_overdue_message_body_gives_the_same_working_days_as_its_title(city, client):
    """S5.1: a matter first looked at long after its due date gets the latest rung only (逾期10个工作日,
    the ladder's name for it); the message's title and body both say how late the matter really is."""
    import re

    from django.utils import translation

    from ducha.workcal.service import get_calendar

    today = date(2026, 11, 18)
    due = get_calendar().add_workdays(today, -107)
    with translation.override("zh-hans"):
        m = running_matter(city, due=due, start=date(2026, 1, 5), last_progress=today, progress=40)
        engine.scan(now=at(today), today=today)
    told = Notification.objects.get(user=city.ursula, reminder__matter=m)
    assert told.reminder.stage == "overdue_10"
    assert told.title.startswith("【逾期107个工作日】")
    assert "已逾期107个工作日" in told.body
    # The ladder's own name for the stage is quoted as a name, never stated as the matter's lateness.
    bare = re.sub(r"“[^”]*”", "", told.body)
    assert re.findall(r"逾期(\d+)个工作日", bare) == ["107"], told.body
    assert "“逾期10个工作日（报市长，提请问责）”" in told.body
    client.force_login(city.ursula)
    page = client.get("/inbox/").content.decode()
    assert "已逾期107个工作日" in page
