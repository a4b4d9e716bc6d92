"""The one API router, mounted at /api/v1/. Each app registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from programs.logbook.api import views as logbook_views
from rehab.accounts.api import views as account_views

router = DefaultRouter()
router.register("invitations", account_views.InvitationViewSet, basename="invitation")

urlpatterns = [
    path("auth/register/", account_views.RegisterView.as_view(), name="register"),
    path("auth/token/", account_views.TokenView.as_view(), name="token"),
    path("me/", account_views.MeView.as_view(), name="me"),
    path("me/export/", account_views.MeExportView.as_view(), name="me-export"),
    path("me/erase/", account_views.MeEraseView.as_view(), name="me-erase"),
    path("screening/", logbook_views.ScreeningView.as_view(), name="screening"),
    path("", include(router.urls)),
]
