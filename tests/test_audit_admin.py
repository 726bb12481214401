"""Every add, change and delete in the system administrator's admin site is in the audit trail,
with before and after, and passwords typed into its forms are masked."""

from __future__ import annotations

from django.test import Client

from ducha.audit.api import MASK
from ducha.audit.models import AuditEvent
from ducha.org.models import Unit, User
from ducha.security.models import AccountSecurity


def sysop(city) -> Client:
    client = Client()
    client.force_login(city.sysop)
    return client


def test_reference_data_changes_are_audited_with_before_and_after(city):
    client = sysop(city)
    unit = city.units["czj"]
    data = {"code": unit.code, "name": "市财政局（新）", "short_name": unit.short_name, "kind": unit.kind,
            "sort_order": 0, "is_active": "on",
            "sections-TOTAL_FORMS": 0, "sections-INITIAL_FORMS": 0, "posts-TOTAL_FORMS": 0, "posts-INITIAL_FORMS": 0}
    response = client.post(f"/admin/org/unit/{unit.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.change", obj_type="org.Unit")
    assert event.before == {"name": "市财政局"} and event.after == {"name": "市财政局（新）"}
    assert (event.username, event.role) == ("sysop", "system_admin")


def test_new_account_is_audited_without_its_password_and_must_change_it(city):
    client = sysop(city)
    response = client.post("/admin/org/user/add/", {
        "username": "newbie", "name": "新同事", "unit": city.units["fgw"].pk,
        "password1": "Initial-pass-2026", "password2": "Initial-pass-2026", "usable_password": "true",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    newbie = User.objects.get(username="newbie")
    assert newbie.role == ""  # roles come from the security administrator
    assert AccountSecurity.objects.get(user=newbie).must_change_password
    added = AuditEvent.objects.get(action="admin.add", obj_type="org.User")
    assert added.after["password1"] == MASK and "Initial-pass-2026" not in str(added.after)
    for event in AuditEvent.objects.all():
        assert "Initial-pass-2026" not in f"{event.before}{event.after}{event.reason}"


def test_deletes_are_audited(city):
    client = sysop(city)
    unit = Unit.objects.create(code="tmp", name="临时单位", kind="department")
    assert client.post(f"/admin/org/unit/{unit.pk}/delete/", {"post": "yes"}).status_code == 302
    event = AuditEvent.objects.get(action="admin.delete", obj_type="org.Unit")
    assert event.before["name"] == "临时单位" and event.after is None
