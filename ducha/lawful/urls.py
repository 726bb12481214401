from django.urls import path

from ducha.lawful import views

app_name = "lawful"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_check, name="new"),
    path("<int:check_id>/", views.check_detail, name="check"),
    path("<int:check_id>/units/<int:unit_id>/", views.unit_result, name="unit"),
]
