from django.urls import URLPattern, URLResolver, path

from ducha.approvals import views_ratings as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.cases, name="rating-cases"),
    path("cases/<int:case_id>/", views.case, name="rating-case"),
    path("<int:rating_id>/appeal/", views.appeal, name="rating-appeal"),
    path("appeals/<int:appeal_id>/decide/", views.decide, name="rating-decide"),
    path("window/<int:application_id>/", views.window, name="rating-window"),
    path("results/", views.results, name="rating-results"),
    path("export/", views.export, name="rating-export"),
]
