from django.urls import path

from programs.logbook import views

app_name = "runner"

urlpatterns = [
    path("screening/", views.screening_start, name="screening"),
    path("screening/<int:pk>/", views.screening_result, name="screening_result"),
    path("plan/setup/", views.plan_setup, name="setup"),
    path("week/", views.this_week, name="week"),
    path("sessions/<int:pk>/", views.session_player, name="session"),
    path("checkin/", views.checkin, name="checkin"),
    path("runs/new/", views.run_new, name="run_new"),
    path("flare-up/", views.flare_up, name="flare_up"),
    path("flare-up/<int:pk>/", views.flare_result, name="flare_result"),
    path("questionnaires/", views.follow_up, name="follow_up"),
    path("progress/", views.progress, name="progress"),
    path("plan/changes/", views.plan_changes, name="changes"),
    path("learn/<slug:slug>/", views.topic, name="topic"),
    path("settings/training/", views.training_settings, name="training_settings"),
    path("settings/training/calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
]
