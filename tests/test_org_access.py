"""Access scoping (issue 2 §5): one place per object type decides who sees which unit.

A unit's people see only their own unit; a vice mayor sees the portfolio; the mayor and
the three city offices see all; the administrator roles see no business data. An object
outside the scope is a 404 — the same answer as for an object that does not exist.
"""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from ducha.org.access import access_person_by_id, access_unit_by_id, unit_scope, visible_units

ALL = {"dcs", "zfb", "jxb", "fgw", "czj", "wancheng", "gxq"}

EXPECTED = {
    "alice": ALL,
    "gina": ALL,
    "percy": ALL,
    "mayor": ALL,
    "victor": {"fgw", "wancheng"},
    "ursula": {"fgw"},
    "sam": {"fgw"},
    "carl": {"czj"},
    "sysop": set(),
    "sec": set(),
    "audrey": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_visible_units_per_role(city, persona):
    user = city.people[persona]
    assert set(visible_units(user).values_list("code", flat=True)) == EXPECTED[persona]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_access_unit_by_id_is_404_outside_scope(city, persona):
    user = city.people[persona]
    for code, unit in city.units.items():
        if code in EXPECTED[persona]:
            assert access_unit_by_id(user, unit.id) == unit
        else:
            with pytest.raises(Http404):
                access_unit_by_id(user, unit.id)


def test_missing_and_foreign_unit_look_the_same(city, client):
    """Another unit's page and a page that does not exist give the same 404 (no leak)."""
    client.force_login(city.sam)
    foreign = client.get(reverse("unit-detail", args=[city.units["czj"].id]))
    missing = client.get(reverse("unit-detail", args=[999999]))
    assert foreign.status_code == missing.status_code == 404
    assert "市财政局" not in foreign.content.decode()


def test_unit_pages_follow_scope(city, client):
    client.force_login(city.victor)
    listing = client.get(reverse("unit-list")).content.decode()
    assert "市发展和改革委员会" in listing and "宛城区人民政府" in listing
    assert "市财政局" not in listing
    assert client.get(reverse("unit-detail", args=[city.units["fgw"].id])).status_code == 200
    assert client.get(reverse("unit-detail", args=[city.units["czj"].id])).status_code == 404


def test_people_follow_unit_scope(city):
    assert access_person_by_id(city.sam, city.ursula.id) == city.ursula
    with pytest.raises(Http404):
        access_person_by_id(city.sam, city.carl.id)
    with pytest.raises(Http404):
        access_person_by_id(city.sysop, city.sam.id)


def test_inactive_user_sees_nothing(city):
    city.sam.is_active = False
    city.sam.save()
    assert not unit_scope(city.sam).allows(city.units["fgw"].id)


def test_vice_mayor_scope_follows_portfolio_changes(city):
    post = city.victor.leader_post
    post.portfolio.add(city.units["czj"])
    city.victor.refresh_from_db()
    assert "czj" in set(visible_units(city.victor).values_list("code", flat=True))


def test_scope_costs_a_fixed_number_of_queries(city, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        list(visible_units(city.victor))


def test_admin_site_is_for_the_system_administrator_only(city, client):
    for persona in ["alice", "mayor", "sam", "sec", "audrey"]:
        client.force_login(city.people[persona])
        response = client.get("/admin/org/unit/")
        assert response.status_code in (302, 403), persona
    client.force_login(city.sysop)
    assert client.get("/admin/org/unit/").status_code == 200
