from django.urls import URLPattern, URLResolver, path

from ducha.approvals import views_supervision as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.board, name="board"),
    path("cards/<int:card_id>/case/", views.card_case, name="board-card-case"),
]
