from django.urls import path

from programs.logbook import physio_views as views

app_name = "physio"

urlpatterns = [
    path("physio/", views.caseload_page, name="caseload"),
    path("physio/invite/", views.invite, name="invite"),
    path(
        "physio/invitations/<int:pk>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("physio/runners/<int:runner_id>/", views.runner_page, name="runner"),
    path("physio/runners/<int:runner_id>/plan/new/", views.plan_start, name="plan_start"),
    path("physio/runners/<int:runner_id>/policy/", views.policy_update, name="policy"),
    path("physio/runners/<int:runner_id>/status/", views.plan_status, name="status"),
    path("physio/runners/<int:runner_id>/undo/", views.plan_undo, name="undo"),
    path("physio/decisions/<int:pk>/<str:verdict>/", views.decision_decide, name="decide"),
]
