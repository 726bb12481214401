from typing import Any

from django.http import HttpRequest

from ducha.org.roles import Role


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the navigation bar needs on every page."""
    # A request refused before the session is read (a bad host, a 400) has no user: no menu.
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {
        "nav_role": role,
        "nav_role_label": Role(role).label if role else "",
        "nav_is_system_admin": role == Role.SYSTEM_ADMIN,
    }
