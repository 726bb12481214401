from django.urls import path

from ducha.audit import views

urlpatterns = [
    path("", views.event_list, name="audit-events"),
    path("events/<int:event_id>/", views.event_detail, name="audit-event"),
    path("export.csv", views.export_csv, name="audit-export"),
    path("verify/", views.verify, name="audit-verify"),
]
