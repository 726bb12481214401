"""Deployment checks of the portal's settings (`check --deploy` under ducha.portal_settings).

On PostgreSQL the portal is meant to face the internet from a host of its own: connecting as
the database owner, or holding the private submission key, would undo the least privilege the
README promises, so `check --deploy` says so instead of passing quietly.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

PORTAL_URLCONF = "ducha.portal.urls"


@register("ducha_portal", deploy=True)
def portal_least_privilege(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.ROOT_URLCONF != PORTAL_URLCONF:
        return []
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return []
    found = []
    if not settings.DUCHA_PORTAL_DATABASE_URL:
        found.append(Warning(
            "the portal connects to PostgreSQL as the intranet's database user",
            hint="run `ducha portal grant --role ducha_portal` on the intranet and set DUCHA_PORTAL_DATABASE_URL "
                 "to that role", id="ducha_portal.W001"))
    if not settings.DUCHA_SUBMISSION_PUBLIC_KEY:
        found.append(Warning(
            "the portal holds the private key that opens submissions",
            hint="set DUCHA_SUBMISSION_PUBLIC_KEY to what `ducha portal public-key` prints on the intranet",
            id="ducha_portal.W002"))
    return found
