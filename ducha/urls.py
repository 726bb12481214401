from django.contrib.auth import views as auth_views
from django.urls import include, path

from ducha.api.views import api
from ducha.org.admin import site as admin_site
from ducha.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit-detail"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("calendar/", include("ducha.workcal.urls")),
    path("api/", api.urls),
    path("admin/", admin_site.urls),
]
