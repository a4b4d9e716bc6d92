from django.urls import path

import rehab.core.ids  # noqa: F401  (registers the <id:...> converter)
from programs.physio.views import caseload, decisions, editor, plan, printing, runner

app_name = "physio"

urlpatterns = [
    path("physio/", caseload.caseload_page, name="caseload"),
    path("physio/invite/", caseload.invite, name="invite"),
    path("physio/colleagues/invite/", caseload.colleague_invite_view, name="colleague_invite"),
    path(
        "physio/invitations/<id:pk>/withdraw/",
        caseload.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("physio/runners/<id:runner_id>/", runner.runner_page, name="runner"),
    path("physio/runners/<id:runner_id>/plan/new/", plan.plan_start, name="plan_start"),
    path("physio/runners/<id:runner_id>/policy/", plan.policy_update, name="policy"),
    path("physio/runners/<id:runner_id>/status/", plan.plan_status, name="status"),
    path("physio/runners/<id:runner_id>/undo/", plan.plan_undo, name="undo"),
    path(
        "physio/runners/<id:runner_id>/referrals/<id:pk>/clear/",
        plan.referral_clear,
        name="referral_clear",
    ),
    path(
        "physio/runners/<id:runner_id>/decisions/",
        decisions.decisions_bulk,
        name="decisions_bulk",
    ),
    path("physio/runners/<id:runner_id>/plan/print/", printing.plan_print_page, name="plan_print"),
    path("physio/runners/<id:runner_id>/plan/pdf/", printing.plan_pdf, name="plan_pdf"),
    path("physio/runners/<id:runner_id>/plan/edit/", editor.editor_page, name="editor"),
    path(
        "physio/runners/<id:runner_id>/plan/edit/swap/<slug:slot_key>/",
        editor.swap_page,
        name="editor_swap",
    ),
    path(
        "physio/runners/<id:runner_id>/plan/edit/<slug:form_name>/",
        editor.edit_step,
        name="editor_step",
    ),
    path("physio/decisions/<id:pk>/<str:verdict>/", decisions.decision_decide, name="decide"),
]
