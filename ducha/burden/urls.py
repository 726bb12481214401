from django.urls import path

from ducha.burden import views

app_name = "burden"

urlpatterns = [
    path("", views.index, name="index"),
]
