from django.contrib import admin

from rehab.notifications.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "template", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "template", "language"]
    search_fields = ["to", "template"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False
