from django.urls import path

from ducha.accountability import views, views_announce, views_cases, views_rounds

app_name = "accountability"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.new_record, name="new"),
    path("special/", views.special, name="special"),
    path("rounds/", views_rounds.rounds, name="rounds"),
    path("rounds/new/", views_rounds.new_round, name="round-new"),
    path("rounds/<int:round_id>/", views_rounds.round_detail, name="round"),
    path("rounds/<int:round_id>/<str:fmt>/", views_rounds.round_file, name="round-file"),
    path("rounds/quarterly/", views_rounds.special_supervision, name="special-supervision"),
    path("announcements/", views_announce.announcements, name="announcements"),
    path("announcements/new/", views_announce.new_announcement, name="announcement-new"),
    path("announcements/<int:announcement_id>/", views_announce.announcement, name="announcement"),
    path("announcements/<int:announcement_id>/<str:fmt>/", views_announce.announcement_file,
         name="announcement-file"),
    path("cases/", views_cases.cases, name="cases"),
    path("cases/new/", views_cases.new_case, name="case-new"),
    path("cases/<int:case_id>/", views_cases.case, name="case"),
    path("<int:record_id>/", views.detail, name="detail"),
    path("consequences/<int:consequence_id>/settle/", views.settle, name="settle"),
]
