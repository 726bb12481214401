from django.urls import include, path

app_name = "approvals"

# One module each: the catalogue, the windows and departments' work, supervision, 好差评.
urlpatterns = [
    path("catalogue/", include("ducha.approvals.urls_catalogue")),
    path("", include("ducha.approvals.urls_applications")),
    path("supervision/", include("ducha.approvals.urls_supervision")),
    path("ratings/", include("ducha.approvals.urls_ratings")),
]
