from django.urls import include, path

app_name = "approvals"

# Three parts, one module each: the catalogue, the windows and departments' work, supervision.
urlpatterns = [
    path("catalogue/", include("ducha.approvals.urls_catalogue")),
    path("", include("ducha.approvals.urls_applications")),
    path("supervision/", include("ducha.approvals.urls_supervision")),
]
