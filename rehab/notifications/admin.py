from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rehab.notifications.models import EmailSuppression, OutboundEmail, PushSubscription
from rehab.notifications.services import email_suppression_lift


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "template", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "template", "language"]
    search_fields = ["to", "template"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    """Devices that take push reminders; the endpoint and keys are secrets and not shown."""

    list_display = ["user", "user_agent", "created_at", "last_success"]
    search_fields = ["user__email"]
    fields = ("user", "user_agent", "created_at", "last_success")
    readonly_fields = ("user", "user_agent", "created_at", "last_success")

    def has_add_permission(self, request):
        return False


@admin.register(EmailSuppression)
class EmailSuppressionAdmin(admin.ModelAdmin):
    """Addresses the outbox skips. Lifting one removes every row of the address, so the
    next email goes; a new bounce or complaint from the provider suppresses it again."""

    list_display = ["email", "reason", "detail", "provider", "occurred_at", "created"]
    list_filter = ["reason", "provider"]
    search_fields = ["email"]
    date_hierarchy = "created"
    ordering = ["-created"]
    readonly_fields = [f.name for f in EmailSuppression._meta.fields]
    actions = ["lift_suppression"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send to these addresses again (lift the suppression)"))
    def lift_suppression(self, request, queryset):
        emails = sorted(set(queryset.values_list("email", flat=True)))
        email_suppression_lift(emails=emails)
        self.message_user(
            request,
            ngettext(
                "%(count)d address will be sent to again.",
                "%(count)d addresses will be sent to again.",
                len(emails),
            )
            % {"count": len(emails)},
            messages.SUCCESS,
        )
