"""Applying online (外网提交) and handing in missing materials after a one-time notice.

The form is built from the published item (``catalogue_item`` payload, ducha.portal.views):
one upload per ``materials[*]`` (required where the item says so), the area from its
``places`` and the real-name fields checked by ``publication.submissions``. What is sent
becomes a submission of kind ``application`` with the payload::

    {"item": "410100-XK-001", "version": 2, "area": "wancheng" | "" (the city) | place name,
     "area_words": "宛城区", "project": "…"}

which the intranet takes up (ducha.approvals.takeup). The reference number and the query code
are shown once, on the answer to the POST; the receipt number follows by SMS once the window
has taken it up. After a one-time notice the status look-up links to ``materials``: the
receipt number and the query code again, then one upload per material the notice named (the
status payload's ``missing``: [{"code", "name", "problem"}]), sent as a submission of kind
``materials`` with ``{"receipt": …}``. Every POST counts against the address's rate; refused
forms count as failures, and past DUCHA_PORTAL_CAPTCHA_AFTER the site's captcha is asked.
"""

from __future__ import annotations

from typing import IO, Any, cast

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ducha.portal import captcha, limits
from ducha.portal.templatetags.portal import tr
from ducha.publication.models import Kind, Publication, SubmissionKind
from ducha.publication.publish import shown
from ducha.publication.status import look_up
from ducha.publication.submissions import UploadSpec, client_address, submit

TOKEN_SECONDS = 1800
_SALT = "ducha.portal.materials"
# Without a list from the notice, a few uploads the window ascribes to what it named.
SPARE_UPLOADS = 3


def place_value(place: dict[str, Any]) -> str:
    """What the intranet resolves to an area: its unit code when published, else its name."""
    return str(place.get("code") or tr(place.get("area")) or "")[:100]


class _CaptchaForm(forms.Form):
    captcha = forms.CharField(label=_("Characters in the picture"), max_length=10, required=False)


class ApplyForm(_CaptchaForm):
    name = forms.CharField(label=_("Applicant's name"), max_length=100,
                           help_text=_("A person's name, or an organisation's registered name."))
    id_number = forms.CharField(label=_("ID card number or unified social credit code"), max_length=40)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20,
                            help_text=_("The receipt number is sent to this number by SMS."))
    project = forms.CharField(label=_("Project"), max_length=200, required=False)

    def __init__(self, item: Publication, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = item.payload.get("places") or []
        if places:
            self.fields["area"] = forms.ChoiceField(
                label=_("Where you apply"), choices=[(place_value(p), tr(p.get("area"))) for p in places])
        self.materials = [m for m in item.payload.get("materials") or [] if m.get("code")]
        for m in self.materials:
            self.fields[f"file_{m['code']}"] = forms.FileField(label=tr(m.get("name")) or m["code"],
                                                               required=bool(m.get("required")))
        self.order_fields(["name", "id_number", "phone", "area", "project"])

    def material_fields(self) -> list[forms.BoundField]:
        return [self[f"file_{m['code']}"] for m in self.materials]

    def person_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("name", "id_number", "phone", "area", "project") if n in self.fields]


class FollowForm(_CaptchaForm):
    receipt = forms.CharField(label=_("Receipt number"), max_length=40)
    code = forms.CharField(label=_("Query code"), max_length=20)


def _captcha_passed(request: HttpRequest, form: forms.Form) -> bool:
    """Asked only past the failures; a wrong answer is itself a failure."""
    if limits.needs_captcha(request) and not captcha.solved(request, form.cleaned_data.get("captcha", "")):
        form.add_error("captcha", _("The characters do not match the picture. Try the new one."))
        return False
    return True


def _refused(request: HttpRequest, form: forms.Form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def _picture(request: HttpRequest) -> str:
    return captcha.challenge(request) if limits.needs_captcha(request) else ""


def _once(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


@limits.limited("apply")
def apply(request: HttpRequest, code: str) -> HttpResponse:
    item = shown(Kind.CATALOGUE_ITEM, code)
    if item is None or not item.payload.get("online"):
        raise Http404
    form = ApplyForm(item, request.POST if request.method == "POST" else None,
                     request.FILES if request.method == "POST" else None)
    if form.is_bound:
        if form.is_valid() and _captcha_passed(request, form):
            data = form.cleaned_data
            area = data.get("area", "")
            places = {place_value(p): tr(p.get("area")) for p in item.payload.get("places") or []}
            files: list[UploadSpec] = [(f.name or m["code"], f, m["code"]) for m in form.materials
                                       if (f := data.get(f"file_{m['code']}"))]
            try:
                sub = submit(SubmissionKind.APPLICATION, address=client_address(request), files=files,
                             name=data["name"], id_number=data["id_number"], phone=data["phone"], query_code=True,
                             payload={"item": item.key, "version": item.payload.get("version"), "area": area,
                                      "area_words": places.get(area, ""), "project": data.get("project", "")})
            except ValidationError as e:
                _refused(request, form, e)
            else:
                return _once(render(request, "portal/apply_done.html", {
                    "item": item, "p": item.payload, "reference": sub.reference,
                    "code": sub.query_code}))  # type: ignore[attr-defined]
        limits.note_failure(request)
    return render(request, "portal/apply.html", {"item": item, "p": item.payload, "form": form,
                                                 "picture": _picture(request)})


def _notice_materials(found: Publication) -> list[dict[str, str]]:
    listed = [m for m in found.payload.get("missing") or [] if isinstance(m, dict) and m.get("code")]
    if listed:
        return [{"code": str(m["code"])[:40], "name": tr(m.get("name")) or str(m["code"])} for m in listed]
    return [{"code": "", "name": str(_("Material %(n)d") % {"n": n})} for n in range(1, SPARE_UPLOADS + 1)]


@limits.limited("materials")
def materials(request: HttpRequest) -> HttpResponse:
    """Two steps: the receipt number and the query code (checked as the look-up checks them),
    then the uploads, posted with a signed token of the first step rather than the code again."""
    form = FollowForm(request.POST if request.method == "POST" and "token" not in request.POST else None)
    found: Publication | None = None
    errors: list[str] = []
    if "token" in request.POST:
        try:
            receipt = signing.loads(request.POST["token"], salt=_SALT, max_age=TOKEN_SECONDS)["receipt"]
        except (signing.BadSignature, KeyError, TypeError):
            receipt = None
        found = shown(Kind.APPLICATION_STATUS, receipt) if receipt else None
        if found is None:
            errors.append(str(_("The page has expired. Enter the receipt number and the query code again.")))
    elif form.is_bound:
        if form.is_valid() and _captcha_passed(request, form):
            found = look_up(form.cleaned_data["receipt"], form.cleaned_data["code"])
            if found is None:
                errors.append(str(_("No application matches this receipt number and query code. Check both "
                                    "and try again.")))
        if found is None:
            limits.note_failure(request)
    if found is not None and not found.payload.get("notice"):
        errors.append(str(_("This application is not waiting for materials.")))
        found = None
    wanted = _notice_materials(found) if found else []
    if found is not None and "token" in request.POST:
        files: list[UploadSpec] = [(f.name or m["code"], cast(IO[bytes], f), m["code"])
                                   for i, m in enumerate(wanted) if (f := request.FILES.get(f"file_{i}"))]
        if not files:
            errors.append(str(_("Choose at least one file to hand in.")))
        else:
            try:
                sub = submit(SubmissionKind.MATERIALS, address=client_address(request), files=files,
                             payload={"receipt": found.key}, real_name=False)
            except ValidationError as e:
                errors.extend(e.messages)
                limits.note_failure(request)
            else:
                return _once(render(request, "portal/apply_materials_done.html", {
                    "reference": sub.reference, "receipt": found.key, "count": len(files)}))
    token = signing.dumps({"receipt": found.key}, salt=_SALT) if found else ""
    return _once(render(request, "portal/apply_materials.html", {
        "form": form, "found": found, "wanted": wanted, "errors": errors, "token": token,
        "picture": "" if found else _picture(request)}))
