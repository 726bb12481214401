from django.urls import path

from ducha.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("ratings/", views.ratings, name="ratings"),
    path("sets/<int:set_id>/", views.indicator_set, name="set"),
    path("<int:evaluation_id>/", views.period, name="period"),
    path("<int:evaluation_id>/units/<int:unit_id>/", views.unit, name="unit"),
    path("<int:evaluation_id>/<str:fmt>/", views.period_file, name="file"),
]
