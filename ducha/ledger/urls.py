from django.urls import path

from ducha.ledger import views, views_io

app_name = "ledger"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_detail, name="year"),
    path("<int:year>/phase/<slug:slug>/", views.phase, name="phase"),
    path("<int:year>/flags/", views.flag_list, name="flags"),
    path("<int:year>/self-check/", views.self_check, name="self-check"),
    path("<int:year>/export/", views_io.export, name="export"),
    path("<int:year>/template/", views_io.template, name="template"),
    path("<int:year>/import/", views_io.import_form, name="import"),
    path("imports/<int:job_id>/", views_io.import_job, name="import-job"),
    path("imports/<int:job_id>/confirm/", views_io.import_confirm, name="import-confirm"),
    path("imports/<int:job_id>/progress/", views_io.import_progress, name="import-progress"),
    path("notices/", views_io.notice_list, name="notices"),
    path("notices/<int:notice_id>/", views_io.notice_detail, name="notice"),
    path("notices/<int:notice_id>/render/", views_io.notice_render, name="notice-render"),
    path("notices/<int:notice_id>/<str:kind>/", views_io.notice_file, name="notice-file"),
]
