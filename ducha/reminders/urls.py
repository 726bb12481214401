from django.urls import path

from ducha.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:notification_id>/read/", views.mark_read, name="mark-read"),
    path("read-all/", views.mark_all_read, name="mark-all-read"),
    path("settings/", views.preferences, name="preferences"),
    path("escalations/", views.escalations, name="escalations"),
    path("dead-letters/", views.dead_letter_list, name="dead-letters"),
    path("dead-letters/<int:message_id>/retry/", views.dead_letter_retry, name="dead-letter-retry"),
]
