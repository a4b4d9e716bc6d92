from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import rehab.core.ids  # noqa: F401  (registers the <id:...> converter)
from rehab.accounts import views as account_views
from rehab.core import views
from rehab.notifications import views as notification_views
from rehab.notifications import webhooks as email_webhooks

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("invite/<str:token>/", account_views.invitation_landing, name="invitation"),
    path("manifest.webmanifest", views.web_manifest, name="manifest"),
    path("styleguide/", views.styleguide, name="styleguide"),
    # One settings area, "Me"; the old /settings/ addresses answer 301 (308 for a POST).
    path("me/", account_views.settings_page, name="settings"),
    path("settings/", views.moved, {"to": "/me/"}, name="settings_moved"),
    path("settings/<path:rest>", views.moved, {"to": "/me/"}, name="settings_moved_rest"),
    # The service worker at the root, so that its scope is the whole site.
    path("sw.js", notification_views.service_worker, name="service_worker"),
    path(
        "reminders/unsubscribe/<str:token>/",
        notification_views.unsubscribe,
        name="reminder_unsubscribe",
    ),
    path("me/reminder-channels/", notification_views.reminder_channels, name="reminder_channels"),
    path("me/links/<id:pk>/end/", account_views.carelink_end_view, name="carelink_end"),
    path("me/export.<str:fmt>", account_views.data_export, name="data_export"),
    path("me/erase/", account_views.erase_account, name="erase_account"),
    path("me/devices/<id:pk>/revoke/", account_views.device_revoke, name="device_revoke"),
    path(
        "me/sign-out-everywhere/",
        account_views.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    # Before allauth's own: the reset request counted per (email, address).
    path(
        "accounts/password/reset/",
        account_views.PasswordResetView.as_view(),
        name="account_reset_password",
    ),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="account_logout"),
    path("accounts/", include("allauth.urls")),
    path("", include("programs.content.urls")),
    path("", include("programs.runner.urls")),
    path("", include("programs.physio.urls")),
    path("admin/", admin.site.urls),
    # The email provider's bounce and complaint webhooks (anymail's views, guarded).
    path("anymail/", include((email_webhooks.urlpatterns(), "anymail"), namespace="anymail")),
    path("api/v1/", include(("rehab.api", "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# allauth renders its rate-limited pages (429) with this view.
handler429 = "rehab.core.views.too_many_requests"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
