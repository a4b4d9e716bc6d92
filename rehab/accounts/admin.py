from typing import cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken as KnoxAuthToken

from rehab.accounts.models import (
    AccessLog,
    AlertPreferences,
    ApiToken,
    CareLink,
    Language,
    Physio,
    Practice,
    RetentionNotice,
    User,
)
from rehab.accounts.practices import physio_create
from rehab.accounts.services import api_tokens_revoke_all
from rehab.core.errors import ApplicationError
from rehab.notifications.services import email_suppressions_of

# knox registers its own token model, which ours (accounts.ApiToken) replaces.
if admin.site.is_registered(KnoxAuthToken):
    admin.site.unregister(KnoxAuthToken)


class PasswordChangeForm(AdminPasswordChangeForm):
    """A password set by staff signs the user's apps out, as every other password change."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            api_tokens_revoke_all(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = PasswordChangeForm
    ordering = ["email"]
    list_display = ["email", "role", "practice", "language", "timezone", "is_staff", "is_active"]
    list_filter = ["role", "practice", "language", "is_staff", "is_active"]
    list_select_related = ["practice"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = [
        "last_login",
        "last_seen_at",
        "date_joined",
        "health_data_consent_at",
        "email_suppressions",
    ]
    fieldsets = (
        (None, {"fields": ("email", "password", "email_suppressions")}),
        (
            _("Profile"),
            {"fields": ("first_name", "last_name", "role", "practice", "language", "timezone")},
        ),
        (_("Consent"), {"fields": ("health_data_consent_at", "privacy_notice_version")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "last_seen_at", "date_joined")}),
    )

    @admin.display(description=_("Email suppressed"))
    def email_suppressions(self, obj):
        """Why email to this address stops (a provider's bounce or complaint), if it does."""
        rows = email_suppressions_of(obj.email) if obj and obj.pk else []
        if not rows:
            return _("No: email is sent")
        items = format_html_join(
            "",
            "<li>{} ({}, {})</li>",
            ((row.get_reason_display(), row.provider, row.created.date()) for row in rows),
        )
        url = reverse("admin:notifications_emailsuppression_changelist") + f"?q={obj.email}"
        return format_html(
            '<ul>{}</ul><a href="{}">{}</a>', items, url, _("Lift it in the suppression list")
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
    # An erased person's rows are found by their pseudonym.
    search_fields = ["actor__email", "runner__email", "actor_pseudonym", "runner_pseudonym"]
    list_select_related = ["actor", "runner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Signed-in devices: staff can see and revoke them; tokens are hashes, never shown."""

    list_display = ["user", "device", "created", "last_used_at", "expiry"]
    search_fields = ["user__email", "device"]
    list_select_related = ["user"]
    fields = readonly_fields = ("user", "device", "created", "last_used_at", "expiry")

    def has_add_permission(self, request):
        return False


@admin.register(RetentionNotice)
class RetentionNoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "inactive_since", "erase_after", "status", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in RetentionNotice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


class PhysioCreationForm(forms.ModelForm):
    """A new physiotherapist: no password here, the physio sets it from the emailed link."""

    class Meta:
        model = Physio
        fields = ["email", "first_name", "last_name", "practice", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["practice"].required = True
        cast(forms.ChoiceField, self.fields["language"]).choices = Language.choices

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("This address already has an account."))
        return email

    def validate_unique(self):  # clean_email checks the address
        pass

    def save(self, commit=True):
        data = self.cleaned_data
        try:
            self.instance = physio_create(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data.get("last_name", ""),
                practice=data["practice"],
                language=data["language"],
            )
        except ApplicationError as error:
            raise ValidationError(error.message) from error
        return self.instance

    def save_m2m(self):
        pass


@admin.register(Physio)
class PhysioAdmin(admin.ModelAdmin):
    """Physiotherapists by practice. "Add" creates the account and emails the link to set a
    password (the same path as `manage.py create_physio`)."""

    list_display = ["email", "first_name", "last_name", "practice", "is_active", "last_login"]
    list_filter = ["practice", "is_active"]
    search_fields = ["email", "first_name", "last_name", "practice__name"]
    list_select_related = ["practice"]
    fields = ["email", "first_name", "last_name", "practice", "language", "is_active"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PhysioCreationForm
            kwargs["fields"] = PhysioCreationForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return PhysioCreationForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return ["email"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # a new one was saved by PhysioCreationForm.save (physio_create)


@admin.register(AlertPreferences)
class AlertPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_time", "updated_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
