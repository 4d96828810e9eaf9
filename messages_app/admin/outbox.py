"""Admin: the outbox. Notifications and their delivery attempts, read-only: the
outbox writes them, nobody edits them by hand. One action, "send again now",
makes unsent notifications due at once with a fresh round of attempts (after a
mailbox or the webhook was fixed), through notifications.notification_retry."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from messages_app.models import DeliveryAttempt, Notification
from messages_app.notifications import notification_retry, notification_state


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Waiting")),
            ("retrying", _("Retrying")),
            ("sent", _("Sent")),
            ("gave_up", _("Gave up")),
        ]

    def queryset(self, request, queryset):
        unsent = Q(sent_at__isnull=True, failed_at__isnull=True)
        return {
            "waiting": queryset.filter(unsent, last_error=""),
            "retrying": queryset.filter(unsent).exclude(last_error=""),
            "sent": queryset.filter(sent_at__isnull=False),
            "gave_up": queryset.filter(failed_at__isnull=False),
        }.get(self.value(), queryset)


class ReadOnlyMixin:
    """Nothing added, changed or deleted here. The change permission still
    counts for the list (it allows the "send again now" action), never for a row."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)


def _when(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i:s") if value else ""


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "created_at", "kind", "channel", "address", "about", "state", "attempts")
    list_filter = (StateFilter, "channel", "kind")
    search_fields = ("address",)
    list_select_related = ("complaint",)
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "kind",
        "channel",
        "slip",
        "complaint",
        "recipient",
        "address",
        "language",
        "created_at",
        "next_attempt_at",
        "claimed_until",
        "attempts",
        "sent_at",
        "failed_at",
        "last_error",
        "attempt_log",
    )
    fields = readonly_fields
    actions = ["send_again_now"]
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("about"))
    def about(self, obj):
        if obj.complaint_id:
            return obj.complaint.reference
        return _("message #%(pk)s") % {"pk": obj.slip_id}

    @admin.display(description=_("state"))
    def state(self, obj):
        state = notification_state(obj)
        if state == "sent":
            return _("Sent %(time)s") % {"time": _when(obj.sent_at)}
        if state == "gave_up":
            return _("Gave up %(time)s") % {"time": _when(obj.failed_at)}
        if state == "retrying":
            return _("Retrying at %(time)s") % {"time": _when(obj.next_attempt_at)}
        return _("Waiting")

    @admin.display(description=_("attempts made"))
    def attempt_log(self, obj):
        attempts = obj.delivery_attempts.all()
        if not attempts:
            return _("None yet")
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{} · {} · {}</li>",
                ((_when(a.at), _("sent") if a.ok else _("failed"), a.detail) for a in attempts),
            ),
        )

    @admin.action(description=_("Send again now"), permissions=["change"])
    def send_again_now(self, request, queryset):
        done, refused = 0, []
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                notification_retry(pk, by=request.user)
            except ValidationError as exc:
                refused.extend(exc.messages)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d notification will be sent again now.",
                    "%(count)d notifications will be sent again now.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "ok", "channel", "address", "detail", "notification")
    list_filter = ("ok", "notification__channel", "notification__kind")
    search_fields = ("notification__address",)
    list_select_related = ("notification",)
    ordering = ("-at", "-id")
    readonly_fields = ("notification", "at", "ok", "detail")
    fields = readonly_fields
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("channel"), ordering="notification__channel")
    def channel(self, obj):
        return obj.notification.get_channel_display()

    @admin.display(description=_("address"), ordering="notification__address")
    def address(self, obj):
        return obj.notification.address

    def has_change_permission(self, request, obj=None):
        return False
