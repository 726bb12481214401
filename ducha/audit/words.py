"""The audit trail's codes in words (auth.login → 登录): the auditor reads what happened in the
user's language; the code stays in the data, the CSV export and the search."""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Whole codes first; codes built from a verb (matter.{action}, report.{action}, ledger.{phase})
# fall back to their area's word and the verb's word below.
ACTIONS: dict[str, Promise] = {
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.timeout": _("Session timed out"),
    "auth.session_end": _("Ended other sessions"),
    "auth.login_failed": _("Log-in failed"),
    "auth.login_refused": _("Log-in refused"),
    "auth.mfa_failed": _("Wrong one-time code"),
    "auth.password_change": _("Changed own password"),
    "account.password_set": _("Password set"),
    "access.denied": _("Access denied"),
    "admin.add": _("Reference data added"),
    "admin.change": _("Reference data changed"),
    "admin.delete": _("Reference data deleted"),
    "audit.view": _("Read the audit trail"),
    "audit.export": _("Exported the audit trail"),
    "audit.verify": _("Verified the audit chain"),
    "audit.prune": _("Pruned old audit events"),
    "backup.create": _("Backup made"),
    "backup.restore": _("Backup restored"),
    "security.bootstrap": _("First administrators created"),
    "security.lock": _("Account locked"),
    "security.unlock": _("Account unlocked"),
    "security.role_grant": _("Role granted"),
    "security.policy_change": _("Security policy changed"),
    "security.password_issue": _("Temporary password issued"),
    "security.mfa_enrol": _("Authenticator enrolled"),
    "security.mfa_reset": _("Authenticator reset"),
    "security.mfa_remove": _("Authenticator removed"),
    "security.demo_mark": _("Demo account marked"),
    "matter.classified_register": _("Classified matter's reference number registered"),
    "letter.send": _("Reminder letter sent"),
    "letter.request_origin": _("Requesting unit recorded"),
    "letter.dismiss_proposal": _("Letter proposal dismissed"),
    "bulletin.issue": _("Bulletin issued"),
    "calendar.import": _("Holiday notice imported"),
    "ledger.import": _("Ledger imported from Excel"),
    "ledger.self_check": _("Ledger self-check"),
}

AREAS: dict[str, Promise] = {
    "auth": _("Log-in"), "account": _("Account"), "access": _("Access"), "admin": _("Reference data"),
    "audit": _("Audit trail"), "backup": _("Backup"), "security": _("Security"), "matter": _("Supervised matter"),
    "report": _("Monthly report"), "letter": _("Reminder letter"), "ledger": _("Ledger"),
    "bulletin": _("Bulletin"), "calendar": _("Working-day calendar"),
}

VERBS: dict[str, Promise] = {
    "create": _("created"), "edit": _("edited"), "assign": _("assigned"), "start": _("accepted"),
    "claim": _("completion claimed"), "close": _("closed"), "return": _("returned for rework"),
    "suspend": _("suspended"), "resume": _("resumed"), "submit": _("submitted"), "resubmit": _("submitted again"),
    "approve": _("approved"), "reject": _("rejected"), "progress_report": _("progress reported"),
    "assignment_add": _("work given to a section or person"), "assignment_remove": _("work taken back"),
    "milestone_done": _("time node done"), "milestones_rescheduled": _("time nodes rescheduled"),
    "deadline_moved": _("deadline moved"), "deadline_settled": _("deadline settled"),
    "extension_request": _("extension requested"), "extension_approved": _("extension approved"),
    "extension_refused": _("extension refused"), "evidence_add": _("evidence added"),
    "requesting_unit": _("requesting unit recorded"), "rectification_moved": _("rectification date moved"),
    "reminder_letter": _("reminder letter sent"), "build": _("ledger built"), "june_check": _("June check"),
    "september_reconciliation": _("September reconciliation"), "year_end_close": _("year-end close"),
}


def action_words(code: str) -> str:
    """What an event code means, in the active language; never the bare code."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    area, _sep, verb = code.partition(".")
    area_word = AREAS.get(area)
    verb_word = VERBS.get(verb)
    if area_word is not None and verb_word is not None:
        return gettext("%(area)s: %(verb)s") % {"area": area_word, "verb": verb_word}
    if area_word is not None:
        return gettext("%(area)s: other change") % {"area": area_word}
    return gettext("Other event")


def object_words(obj_type: str) -> str:
    """The kind of object an event is about (matters.Matter → 督办事项), from the model's own name."""
    try:
        return str(apps.get_model(obj_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return gettext("Other object")


def verdict_words(code: str, checked: int, bad_seq: int | None, anchor_seq: int | None) -> str:
    """The chain check's finding for the auditor's page (``chain.Verdict``)."""
    params = {"n": checked, "seq": bad_seq, "anchor": anchor_seq}
    if code == "intact":
        if anchor_seq is not None:
            return gettext("The audit chain is intact: %(n)d events verified from the prune anchor at "
                           "number %(anchor)s.") % params
        return gettext("The audit chain is intact: %(n)d events verified.") % params
    found = {
        "bad_anchor": gettext("The prune anchor at number %(seq)s was altered."),
        "before_anchor": gettext("Event number %(seq)s lies before the prune anchor: a row was inserted."),
        "missing": gettext("Events are missing before number %(seq)s: rows were deleted."),
        "out_of_order": gettext("Event number %(seq)s does not follow the one before it: a row was inserted "
                                "or replaced."),
        "edited": gettext("Event number %(seq)s was edited: its content does not match its hash."),
        "no_head": gettext("The record of the chain's end is missing."),
        "bad_head": gettext("The record of the chain's end does not verify: the chain was rebuilt, or the data "
                            "key is not this installation's."),
        "head_behind": gettext("Events at the end of the chain, from number %(seq)s, were deleted or rewritten."),
    }.get(code, gettext("The audit chain does not verify."))
    return gettext("The audit chain is broken.") + " " + found % params
