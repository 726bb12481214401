from django.urls import URLPattern, URLResolver, path

from ducha.approvals import views_window

# The window (S3.3): 收件, the materials check, the one-time notice, 受理.
urlpatterns: list[URLPattern | URLResolver] = [
    path("applications/", views_window.application_list, name="app-list"),
    path("applications/new/", views_window.receive, name="app-receive"),
    path("applications/<int:application_id>/", views_window.application_detail, name="app-detail"),
    path("applications/<int:application_id>/documents/<int:document_id>.<str:fmt>", views_window.document_file,
         name="app-document"),
]

# What follows 受理: the clocks, departments' steps, pauses, the extension and the decision.
from ducha.approvals import views_handling  # noqa: E402

urlpatterns += [
    path("steps/", views_handling.my_steps, name="handling-mine"),
    path("applications/<int:application_id>/handling/", views_handling.application_handling, name="handling-app"),
    path("applications/<int:application_id>/handling/steps/<int:step_id>/finish/", views_handling.finish_step,
         name="handling-finish"),
    path("applications/<int:application_id>/handling/pause/", views_handling.pause, name="handling-pause"),
    path("applications/<int:application_id>/handling/resume/", views_handling.resume, name="handling-resume"),
    path("applications/<int:application_id>/handling/extend/", views_handling.extend, name="handling-extend"),
    path("applications/<int:application_id>/handling/decide/", views_handling.decide, name="handling-decide"),
]
