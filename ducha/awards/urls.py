from django.urls import path

from ducha.awards import views

app_name = "awards"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_year, name="year-new"),
    path("<int:year_id>/", views.year, name="year"),
    path("<int:year_id>/nominate/", views.nominate, name="nominate"),
    path("<int:year_id>/scoring/", views.scoring, name="scoring"),
    path("<int:year_id>/ranking/", views.ranking, name="ranking"),
    path("<int:year_id>/winners/", views.winners, name="winners"),
    path("nominations/<int:nomination_id>/", views.nomination, name="nomination"),
    path("nominations/<int:nomination_id>/edit/", views.edit_nomination, name="nomination-edit"),
    path("evidence/<int:file_id>/", views.evidence_file, name="evidence"),
]
