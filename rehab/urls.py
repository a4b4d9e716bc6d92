from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from rehab.accounts import views as account_views
from rehab.core import views
from rehab.notifications import views as notification_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("invite/<str:token>/", account_views.invitation_landing, name="invitation"),
    path("settings/", account_views.settings_page, name="settings"),
    path(
        "reminders/unsubscribe/<str:token>/",
        notification_views.unsubscribe,
        name="reminder_unsubscribe",
    ),
    path("settings/links/<int:pk>/end/", account_views.carelink_end_view, name="carelink_end"),
    path("settings/export.<str:fmt>", account_views.data_export, name="data_export"),
    path("settings/erase/", account_views.erase_account, name="erase_account"),
    path("accounts/", include("allauth.urls")),
    path("", include("programs.logbook.urls")),
    path("", include("programs.logbook.physio_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("rehab.api", "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
