"""S1.4 / S1.5 reminder-letter rules (ducha.rules.letters): the mandatory chain, the 机关代字,
the requester read from a reference, lateness in working days on the real 2026 calendar
(Mid-Autumn 09-25..27, National Day 10-01..07, make-up Saturday 10-10)."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.documents import DocNumber
from ducha.rules.letters import (
    AddresseeRole,
    AddressError,
    Party,
    address_letter,
    infer_requester,
    letter_agency,
    missing_mandatory,
    overdue_workdays,
    request_stalled,
    silent_workdays,
)
from tests.rules.cn_calendar_source import cn_calendar

CAL = cn_calendar()
FGW, CZJ, DCS, ZFB = 4, 5, 1, 2
VICTOR, MAYOR = Party("person", 10, "副市长Victor"), Party("person", 11, "市长Mayor")
TO_CZJ = Party("unit", CZJ, "市财政局")
SUPERVISION = Party("unit", DCS, "市人民政府督查室")


def chain(**kw):
    args = dict(sender_unit_id=FGW, to=TO_CZJ, vice_mayors=[VICTOR], mayor=MAYOR, supervision_office=SUPERVISION)
    args.update(kw)
    return address_letter(**args)


def test_s1_4_chain_is_to_report_cc_in_print_order():
    got = [(a.role, a.party.label, a.mandatory) for a in chain()]
    assert got == [
        (AddresseeRole.TO, "市财政局", True),
        (AddresseeRole.REPORT, "市长Mayor", True),
        (AddresseeRole.REPORT, "副市长Victor", True),
        (AddresseeRole.CC, "市人民政府督查室", True),
    ]


def test_s1_4_extra_copies_are_optional_and_cannot_demote_or_repeat_the_chain():
    got = chain(extra_cc=[Party("unit", 7, "高新区管委会"), TO_CZJ, SUPERVISION, Party("unit", FGW, "self")])
    assert [(a.party.id, a.role, a.mandatory) for a in got] == [
        (CZJ, AddresseeRole.TO, True), (11, AddresseeRole.REPORT, True), (10, AddresseeRole.REPORT, True),
        (DCS, AddresseeRole.CC, True), (7, AddresseeRole.CC, False),
    ]


def test_s1_4_a_leader_named_twice_appears_once_in_the_senior_role():
    got = chain(vice_mayors=[VICTOR, VICTOR], extra_cc=[VICTOR, MAYOR])
    assert [a.party for a in got].count(VICTOR) == 1
    assert [(a.role, a.mandatory) for a in got if a.party == MAYOR] == [(AddresseeRole.REPORT, True)]


def test_s1_4_a_unit_without_a_vice_mayor_in_charge_is_still_reported_to_the_mayor():
    assert [a.party for a in chain(vice_mayors=[]) if a.role == AddresseeRole.REPORT] == [MAYOR]


def test_s1_4_chain_refuses_what_the_seed_forbids():
    with pytest.raises(AddressError, match=r"^self$"):
        chain(to=Party("unit", FGW, "市发改委"))
    with pytest.raises(AddressError, match=r"^no_mayor$"):
        chain(mayor=None)
    with pytest.raises(AddressError, match=r"^no_supervision_office$"):
        chain(supervision_office=None)


def test_item_18_the_report_line_lists_the_mayor_before_the_vice_mayors():
    """S1.4/S1.5: 报 the mayor first, then the vice mayors in charge, in the order given."""
    other = Party("person", 12, "副市长Vera")
    got = [a.party.label for a in chain(vice_mayors=[VICTOR, other]) if a.role == AddresseeRole.REPORT]
    assert got == ["市长Mayor", "副市长Victor", "副市长Vera"]


def test_missing_mandatory_names_what_was_dropped():
    required = chain()
    assert missing_mandatory(required, [a.party.key for a in required]) == []
    dropped = missing_mandatory(required, [("unit", CZJ)])
    assert {a.party.label for a in dropped} == {"副市长Victor", "市长Mayor", "市人民政府督查室"}


@pytest.mark.parametrize("short, agency", [
    ("发改委", "宛发改函"), ("财政局", "宛财政函"), ("宛城区", "宛城函"), ("高新区", "宛高新函"),
    ("市场监管局", "宛市场监管函"), ("市发展和改革委员会", "宛发展改革函"), ("卫健委", "宛卫健函"),
    ("市财政局", "宛财政函"),
])
def test_agency_codes_from_short_names_are_valid_doc_numbers(short, agency):
    got = letter_agency(short, city_prefix="宛")
    assert got == agency
    assert str(DocNumber(got, 2026, 3)) == f"{agency}〔2026〕3号"


def test_agency_without_city_prefix_and_the_empty_name():
    assert letter_agency("发改委", city_prefix="") == "发改函"
    with pytest.raises(ValueError, match="letter code"):
        letter_agency("ABC")


def test_s1_5_requester_is_the_longest_unit_name_opening_the_reference():
    units = [(1, "市人民政府办公室", "市政府办"), (4, "市发展和改革委员会", "发改委"), (9, "市场监督管理局", "市场监管局"),
             (10, "市财政局", "财政局")]
    assert infer_requester("发改委请示〔2026〕1号", units) == 4
    assert infer_requester("市发展和改革委员会关于……的请示", units) == 4
    assert infer_requester("市场监管局请示〔2026〕2号", units) == 9
    assert infer_requester("豫督〔2026〕20号", units) is None
    assert infer_requester("", units) is None


def test_s1_5_requester_tie_is_no_answer():
    assert infer_requester("城管局请示", [(1, "甲", "城管局"), (2, "乙", "城管局")]) is None


def test_s1_4_overdue_counts_working_days_across_national_day():
    due = date(2026, 9, 30)
    assert overdue_workdays(CAL, due, date(2026, 9, 30)) == 0
    assert overdue_workdays(CAL, due, date(2026, 10, 7)) == 0  # a week later, all holidays
    assert overdue_workdays(CAL, due, date(2026, 10, 8)) == 1
    assert overdue_workdays(CAL, due, date(2026, 10, 10)) == 3  # the make-up Saturday counts
    assert overdue_workdays(CAL, due, date(2026, 10, 12)) == 4


def test_s1_4_silence_counts_working_days_only():
    last = date(2026, 9, 24)  # the Thursday before Mid-Autumn
    assert silent_workdays(CAL, last, date(2026, 10, 8)) == 4  # 09-28, 29, 30, 10-08
    assert silent_workdays(CAL, last, date(2026, 10, 14)) == 9  # the make-up Saturday 10-10 counts
    assert silent_workdays(CAL, last, date(2026, 10, 15)) == 10
    assert silent_workdays(CAL, last, last) == 0


def test_s1_5_request_stalls_one_working_day_after_its_limit():
    due = date(2026, 9, 30)
    assert not request_stalled(CAL, due, date(2026, 10, 7))
    assert request_stalled(CAL, due, date(2026, 10, 8))
    assert not request_stalled(CAL, due, date(2026, 10, 8), after_workdays=2)
    assert not request_stalled(CAL, None, date(2026, 10, 8))
    with pytest.raises(ValueError):
        request_stalled(CAL, due, date(2026, 10, 8), after_workdays=0)
