"""The demo city (issue 2 §6): the units the seed names, about forty departments, a mayor and
vice mayors with portfolios, one account per role; deterministic and idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ducha.org.demo import build_demo_organisation
from ducha.org.models import LeaderKind, LeaderPost, Section, Unit, UnitKind, UnitPost, User
from ducha.org.roles import Role

SEED_COUNTIES = ["宛城区", "卧龙区", "南召县", "方城县", "西峡县", "镇平县", "内乡县", "淅川县", "社旗县", "唐河县", "新野县", "桐柏县", "邓州市"]
SEED_ZONES = ["城乡一体化示范区", "高新区", "鸭河工区", "官庄工区"]


def _snapshot():
    return (
        sorted(Unit.objects.values_list("code", "name", "kind")),
        sorted(User.objects.values_list("username", "name", "role", "unit__code", "password")),
        sorted(UnitPost.objects.values_list("unit__code", "person__username", "kind")),
        sorted(LeaderPost.objects.values_list("person__username", "portfolio__code")),
        Section.objects.count(),
    )


@pytest.mark.django_db
def test_demo_city_has_the_seed_units_and_is_idempotent():
    build_demo_organisation()
    first = _snapshot()
    build_demo_organisation()
    assert _snapshot() == first

    short = set(Unit.objects.values_list("short_name", flat=True))
    assert set(SEED_COUNTIES) <= short and set(SEED_ZONES) <= short
    assert Unit.objects.filter(kind=UnitKind.COUNTY).count() == 13
    assert Unit.objects.filter(kind=UnitKind.ZONE).count() == 4
    assert 35 <= Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() <= 45
    assert {"发展和改革委员会", "财政局", "住房和城乡建设局", "交通运输局"} <= {
        n.removeprefix("市") for n in Unit.objects.values_list("name", flat=True)
    }
    assert LeaderPost.objects.filter(kind=LeaderKind.MAYOR).count() == 1
    assert 7 <= LeaderPost.objects.filter(kind=LeaderKind.VICE_MAYOR).count() <= 9
    # Every unit but the city offices is in exactly one vice mayor's portfolio.
    for unit in Unit.objects.exclude(kind=UnitKind.OFFICE):
        assert unit.leader_posts.count() == 1, unit.name
    # Every unit has a principal and a leader in charge (S1.16 holds both to account).
    assert UnitPost.objects.filter(kind="principal").count() == Unit.objects.count()
    assert set(User.objects.exclude(role="").values_list("role", flat=True)) == set(Role.values)


@pytest.mark.django_db
def test_demo_accounts_can_log_in_and_others_cannot(client):
    build_demo_organisation()
    for username in ["duchashi", "fgw_staff", "shizhang", "sysadmin"]:
        assert client.login(username=username, password="demo-only-2026"), username
    assert not User.objects.get(username="fsz_gy").has_usable_password()


@pytest.mark.django_db
def test_demo_command_prints_accounts_with_a_demo_only_warning(capsys):
    call_command("demo", no_serve=True)
    out = capsys.readouterr().out
    assert "DEMO ONLY" in out and "演示数据，仅供演示" in out
    for username in ["duchashi", "zhengfuban", "jixiaoban", "shizhang", "fgw_admin", "sysadmin", "secadmin", "auditor"]:
        assert username in out


@pytest.mark.django_db
def test_demo_year_of_matters_is_realistic_and_idempotent():
    """Issue 4 §11: the seed's key-work areas, some units behind, some matters overdue."""
    from datetime import date

    from ducha.matters.demo import build_demo_matters
    from ducha.matters.models import Matter, MatterEvent, Source

    build_demo_organisation()
    today = date(2026, 11, 27)
    created = build_demo_matters(today)
    assert created == Matter.objects.count() >= 40
    assert build_demo_matters(today) == 0 and Matter.objects.count() == created
    titles = " ".join(Matter.objects.values_list("title", flat=True))
    for area in ["龙腾计划", "雁阵计划", "金地计划", "招商引资", "老旧小区", "高速公路", "就业"]:
        assert area in titles, area
    assert set(Matter.objects.values_list("source", flat=True)) == set(Source.values)
    overdue = Matter.objects.filter(status__in=["assigned", "in_progress"], due_date__lt=today)
    assert overdue.exists()
    assert Matter.objects.filter(status="closed").exists()
    assert Matter.objects.filter(status="in_progress", due_date__gte=today).exists()
    assert not Matter.objects.filter(status="draft").exists()
    assert MatterEvent.objects.filter(action="assign").count() == created


@pytest.mark.django_db
def test_item_27_demo_output_ends_with_the_accounts_and_its_mail_goes_to_files(capsys, clock, settings, tmp_path):
    """Issue 11 item 27: `make demo` ends with the accounts and who must enrol an authenticator, no
    e-mail is dumped on the console, and 发改委 has a slow co-unit for an S1.4 reminder letter."""
    from datetime import date

    from ducha.letters.facts import part_facts
    from ducha.matters.models import CoUnitPart
    from ducha.org.roles import ADMIN_ROLES
    from ducha.reminders.loop import run_once
    from ducha.reminders.models import OutboxMessage
    from ducha.web.management.commands.demo import demo_mailbox
    from ducha.workcal.service import get_calendar

    clock.set(date(2026, 11, 27))
    settings.DATA_DIR = tmp_path
    call_command("demo", no_serve=True)
    out = capsys.readouterr().out.strip().splitlines()
    accounts = build_demo_organisation()
    first = next(i for i, line in enumerate(out) if "demo-only-2026" in line)
    block = "\n".join(out[first:])
    assert all(a.username in block for a in accounts) and "demo-only-2026" not in "\n".join(out[:first])
    assert not any(line.startswith("demo:") for line in out[first:])  # nothing of the set-up after the accounts
    admins = sorted(User.objects.filter(role__in=ADMIN_ROLES, security__is_demo=True).values_list("username", flat=True))
    enrol = next(line for line in out[first:] if "authenticator" in line)
    assert admins == ["auditor", "secadmin", "sysadmin"] and all(name in enrol for name in admins)
    assert any("身份验证器" in line for line in out[first:])
    assert str(tmp_path / "demo-mail") in "\n".join(out)

    with demo_mailbox() as mailbox:
        run_once()
    assert OutboxMessage.objects.filter(channel="email", status="sent").exists()
    assert mailbox.is_dir() and any(mailbox.iterdir())
    assert "Subject:" not in capsys.readouterr().out

    today, cal = date(2026, 11, 27), get_calendar()
    slow = [p for p in CoUnitPart.objects.filter(matter__lead_unit__code="fgw").select_related("matter")
            if part_facts(p, p.matter, today, cal).slow]
    assert slow and {"fgw_admin", "fgw_staff"} <= {a.username for a in accounts}
