from django.urls import path

import rehab.core.ids  # noqa: F401  (registers the <id:...> converter)
from programs.runner.views import logs, offline, progress, screening, session, settings, setup, week

app_name = "runner"

urlpatterns = [
    path("screening/", screening.screening_start, name="screening"),
    path("screening/<id:pk>/", screening.screening_result, name="screening_result"),
    path("referrals/", screening.referrals, name="referrals"),
    path("referrals/<id:pk>/clear/", screening.referral_clear, name="referral_clear"),
    path("plan/setup/", setup.plan_setup, name="setup"),
    path("plan/setup/review/", setup.plan_setup_review, name="setup_review"),
    path("plan/setup/<slug:key>/", setup.plan_setup_step, name="setup_step"),
    path("plan/resume/", screening.plan_resume_view, name="plan_resume"),
    path("week/", week.this_week, name="week"),
    path("week/offline.json", offline.week_offline_list, name="week_offline"),
    path("offline/", offline.offline_page, name="offline"),
    path("sessions/<id:pk>/", session.session_player, name="session"),
    path("checkin/", logs.checkin, name="checkin"),
    path("checkin/<id:pk>/", logs.checkin_edit, name="checkin_edit"),
    path("runs/", logs.runs, name="runs"),
    path("runs/new/", logs.run_new, name="run_new"),
    path("runs/import/", logs.run_import, name="run_import"),
    path("runs/answers/", logs.run_answers, name="run_answers"),
    path("runs/<id:pk>/", logs.run_edit, name="run_edit"),
    path("runs/<id:pk>/delete/", logs.run_delete, name="run_delete"),
    path("flare-up/", logs.flare_up, name="flare_up"),
    path("flare-up/<id:pk>/", logs.flare_result, name="flare_result"),
    path("questionnaires/", setup.follow_up, name="follow_up"),
    path("progress/", progress.progress, name="progress"),
    path("plan/changes/", week.plan_changes, name="changes"),
    path("learn/", week.topics, name="learn"),
    path("learn/<slug:slug>/", week.topic, name="topic"),
    path("me/training/", settings.training_settings, name="training_settings"),
    path("me/training/calendar/reset/", settings.calendar_reset, name="calendar_reset"),
    path("me/training/plan/print/", settings.plan_print_page, name="plan_print"),
    path("me/training/plan/pdf/", settings.plan_pdf, name="plan_pdf"),
    path("calendar/<str:token>.ics", settings.calendar_feed, name="calendar"),
]
