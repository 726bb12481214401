from django.urls import path

from ducha.staffeval import views

app_name = "staffeval"

urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:unit_id>/ledger/", views.ledger, name="ledger"),
    path("units/<int:unit_id>/reviews/", views.reviews, name="reviews"),
    path("evaluations/<int:evaluation_id>/", views.evaluation, name="evaluation"),
]
