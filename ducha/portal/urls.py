"""The portal's URLs, and only these: no admin, no intranet page, no intranet login."""

from django.urls import include, path
from django.views.i18n import set_language

from ducha.portal import limits, views, views_apply, views_rating, views_status
from ducha.publication.models import Kind

_pages = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<str:code>/", views.catalogue_item, name="catalogue_item"),
    path("catalogue/<str:code>/apply/", views_apply.apply, name="apply"),
    path("key-tasks/", views.key_tasks, name="key_tasks"),
    path("rankings/", views.listing, {"kind": Kind.RANKING}, name="rankings"),
    path("rankings/<path:key>/", views.detail, {"kind": Kind.RANKING}, name="ranking"),
    path("bulletins/", views.listing, {"kind": Kind.BULLETIN}, name="bulletins"),
    path("bulletins/<path:key>/", views.detail, {"kind": Kind.BULLETIN}, name="bulletin"),
    path("exposures/", views.listing, {"kind": Kind.EXPOSURE}, name="exposures"),
    path("exposures/<path:key>/", views.detail, {"kind": Kind.EXPOSURE}, name="exposure"),
    path("files/<int:pk>/", views.download, name="file"),
    path("status/", views_status.status, name="status"),
    path("status/materials/", views_apply.materials, name="apply_materials"),
    path("status/files/<str:token>/", views_status.status_file, name="status_file"),
    path("rate/", views_rating.rate, name="rate"),
    path("ratings/", views_rating.results, name="ratings"),
    path("ratings/<str:month>/", views_rating.results_month, name="ratings_month"),
    path("language/", limits.limited("language")(set_language), name="set_language"),
]

# The root of its own site, under the namespace "portal" all the same.
urlpatterns = [path("", include((_pages, "portal")))]

handler404 = "ducha.portal.views.not_found"
handler500 = "ducha.portal.views.server_error"
