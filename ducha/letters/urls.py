from django.urls import path

from ducha.letters import views, views_compose

app_name = "letters"
urlpatterns = [
    path("", views.letter_list, name="list"),
    path("<int:letter_id>/", views.letter_detail, name="detail"),
    path("<int:letter_id>/file.<str:fmt>", views.letter_file, name="file"),
    path("<int:letter_id>/render/", views.letter_render, name="render"),
    path("counts/", views.counts, name="counts"),
    path("requests/", views.requests_page, name="requests"),
    path("proposals/", views_compose.proposals, name="proposals"),
    path("proposals/<int:co_part_id>/dismiss/", views_compose.dismiss, name="dismiss"),
    path("new/co-unit/<int:co_part_id>/", views_compose.compose_co_unit, name="compose-co-unit"),
    path("new/request/", views_compose.compose_request, name="compose-request"),
    # For the matter page's "reminder letter" button (the matters app links here).
    path("new/matter/<int:matter_id>/", views_compose.propose_for_matter, name="propose-for-matter"),
]
