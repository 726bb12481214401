from django.urls import path

from ducha.matters import views, views_edit, views_evidence, views_publish

app_name = "matters"
urlpatterns = [
    path("", views.matter_list, name="list"),
    path("new/", views.matter_create, name="create"),
    path("new/deadline/", views.deadline_preview, name="deadline-preview"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/panel/", views.dashboard_panel, name="dashboard-panel"),
    path("map/", views.battle_map, name="map"),
    path("key-tasks/publish/", views_publish.publish_key_tasks, name="key-tasks-publish"),
    path("<int:matter_id>/", views.matter_detail, name="detail"),
    path("<int:matter_id>/act/", views.matter_act, name="act"),
    path("<int:matter_id>/extension/", views.extension_request, name="extension-request"),
    path("extensions/<int:request_id>/decide/", views.extension_decide, name="extension-decide"),
    path("<int:matter_id>/edit/", views_edit.matter_edit, name="edit"),
    path("<int:matter_id>/assignments/", views_edit.assignment_add, name="assignment-add"),
    path("assignments/<int:assignment_id>/remove/", views_edit.assignment_remove, name="assignment-remove"),
    path("milestones/<int:milestone_id>/done/", views_edit.milestone_done, name="milestone-done"),
    path("evidence/<int:evidence_id>/", views_evidence.evidence_file, name="evidence"),
    path("<int:matter_id>/milestones/reschedule/", views_edit.milestones_reschedule, name="milestones-reschedule"),
]
