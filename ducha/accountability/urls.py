from django.urls import path

from ducha.accountability import views

app_name = "accountability"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.new_record, name="new"),
    path("special/", views.special, name="special"),
    path("<int:record_id>/", views.detail, name="detail"),
    path("consequences/<int:consequence_id>/settle/", views.settle, name="settle"),
]
