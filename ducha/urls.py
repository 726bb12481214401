from django.urls import include, path

from ducha.api.views import api
from ducha.org.admin import site as admin_site
from ducha.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit-detail"),
    # Log-in with lock-out and second factor, account security, the security administrator's pages.
    path("", include("ducha.security.urls")),
    path("audit/", include("ducha.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("calendar/", include("ducha.workcal.urls")),
    path("inbox/", include("ducha.reminders.urls")),
    path("matters/", include("ducha.matters.urls")),
    path("ledger/", include("ducha.ledger.urls")),
    path("letters/", include("ducha.letters.urls")),
    path("reports/", include("ducha.reports.urls")),
    path("accountability/", include("ducha.accountability.urls")),
    path("awards/", include("ducha.awards.urls")),
    path("lawful/", include("ducha.lawful.urls")),
    path("evaluation/", include("ducha.evaluation.urls")),
    path("burden/", include("ducha.burden.urls")),
    path("approvals/", include("ducha.approvals.urls")),
    path("staff-evaluation/", include("ducha.staffeval.urls")),
    path("api/", api.urls),
    path("admin/", admin_site.urls),
]
