"""Admin: slips.

Message slips are read-only here: every change to a slip (its state, who it is
for, who is told) goes through messages_app.services.slips, from the desk's
board, "My messages" and the slip page, which keep the timeline and the version
check. The admin lists, filters and searches them (a number typed any way finds
the caller's slips) and shows each with its recipients and timeline.

Urgency limits (how long a slip of each urgency may wait for its
acknowledgement) are kept here by directory admins.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from calls.admin import NumberSearchMixin
from messages_app.models import MessageSlip, SlipEvent, SlipRecipient, UrgencyLimit


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SlipRecipientInline(ReadOnlyInline):
    model = SlipRecipient
    fields = ("staff", "role", "added_at", "read_at")
    readonly_fields = fields
    verbose_name_plural = _("sent to")


class SlipEventInline(ReadOnlyInline):
    model = SlipEvent
    fields = ("at", "kind", "from_status", "to_status", "by", "note")
    readonly_fields = fields
    ordering = ("at", "id")
    verbose_name_plural = _("timeline")


@admin.register(MessageSlip)
class MessageSlipAdmin(NumberSearchMixin, SimpleHistoryAdmin):
    number_field = "caller_number"
    list_display = (
        "created_at",
        "addressee",
        "caller_name",
        "caller_number",
        "urgency",
        "status",
        "due_at",
        "escalation_level",
    )
    list_filter = ("status", "urgency", "mood", "escalation_level", "created_at")
    search_fields = (
        "caller_name",
        "caller_company",
        "message",
        "for_staff__full_name",
        "for_department__name",
    )
    list_select_related = ("for_staff", "for_department")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_per_page = 100
    show_full_result_count = False  # no second COUNT(*) over every slip
    inlines = (SlipRecipientInline, SlipEventInline)

    @admin.display(description=_("for"), ordering="for_staff__full_name")
    def addressee(self, slip):
        return slip.for_staff or slip.for_department

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False  # slips are taken at the console or on "Take a message"

    def has_change_permission(self, request, obj=None):
        return False  # state changes go through the services (board, slip page)

    def has_delete_permission(self, request, obj=None):
        return False  # the desk's proof that a message was passed on


@admin.register(UrgencyLimit)
class UrgencyLimitAdmin(SimpleHistoryAdmin):
    list_display = ("urgency", "minutes", "business_time", "next_working_day")
    list_editable = ("minutes", "business_time", "next_working_day")
    ordering = ("urgency",)
