from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from rehab.accounts.models import AccessLog, CareLink, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "language", "timezone", "is_staff", "is_active"]
    list_filter = ["role", "language", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "health_data_consent_at"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("first_name", "last_name", "role", "language", "timezone")}),
        (_("Consent"), {"fields": ("health_data_consent_at", "privacy_notice_version")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "role", "language", "timezone", "password1", "password2"),
            },
        ),
    )


@admin.register(CareLink)
class CareLinkAdmin(admin.ModelAdmin):
    list_display = ["physio", "runner", "status", "consent_given_at", "ended_at"]
    list_filter = ["status"]
    search_fields = ["physio__email", "runner__email"]
    list_select_related = ["physio", "runner"]
    raw_id_fields = ["physio", "runner"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "runner", "object_type", "object_id", "action"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor__email", "runner__email"]
    list_select_related = ["actor", "runner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
