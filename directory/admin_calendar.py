"""Django admin of the business calendar: working hours and days off.

Working periods are listed weekday by weekday, each with its length; a period
that ends before it starts, or overlaps another one on the same day, is refused
with a message next to the field (WorkingPeriod.clean).

Holidays are listed by date (year by year through the date hierarchy), with
filters on kind, day off and where the day came from. Admins add days, move a
day by changing its date, and remove days. Removing a seeded day switches it
off instead (directory.holiday_seed.holiday_remove), so seeding again does not
bring it back; a day an admin added is simply deleted. Every change is kept in
the history (simple-history on both models).
"""

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from directory.holiday_seed import holiday_remove
from directory.models import Holiday, HolidayKind, WorkingPeriod


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ("weekday", "start", "end", "length")
    list_display_links = ("weekday", "start")
    list_filter = ("weekday",)
    ordering = ("weekday", "start")
    fields = ("weekday", "start", "end")
    list_per_page = 100

    @admin.display(description=_("length"))
    def length(self, period):
        hours, minutes = divmod(period.minutes, 60)
        return f"{hours}:{minutes:02d}"


class OriginFilter(admin.SimpleListFilter):
    """Where a day came from: the seed (as it is, or moved) or an admin."""

    title = _("source")
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [
            ("seeded", _("Seeded")),
            ("moved", _("Seeded, moved by an admin")),
            ("added", _("Added by an admin")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "seeded":
            return queryset.exclude(source="")
        if value == "moved":
            return queryset.exclude(source="").exclude(date=F("source_date"))
        if value == "added":
            return queryset.filter(source="")
        return queryset


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
    list_display = ("date", "weekday", "name", "kind", "active", "origin")
    list_display_links = ("date", "name")
    list_filter = ("kind", "active", OriginFilter)
    date_hierarchy = "date"
    search_fields = ("name",)
    ordering = ("date",)
    list_per_page = 100

    def get_fields(self, request, obj=None):
        fields = ["date", "name", "kind", "active"]
        if obj is not None and obj.seeded:
            fields += ["source", "source_date"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ("source", "source_date") if obj is not None and obj.seeded else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and obj.seeded:
            form.base_fields["date"].help_text = _(
                "Change the date to move this seeded day: seeding again leaves it where you put it."
            )
            form.base_fields["name"].help_text = _(
                "The name comes from the source: seeding again brings it back."
            )
        return form

    def get_changeform_initial_data(self, request):
        return {"kind": HolidayKind.COMPANY, **super().get_changeform_initial_data(request)}

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, holiday):
        return date_format(holiday.date, "l")

    @admin.display(description=_("origin"))
    def origin(self, holiday):
        if not holiday.seeded:
            return gettext("Added by an admin")
        if holiday.moved:
            return gettext("%(source)s, moved from %(date)s") % {
                "source": holiday.source,
                "date": date_format(holiday.source_date, "SHORT_DATE_FORMAT"),
            }
        return holiday.source

    # Removing: seeded days are switched off, days added by hand deleted. ----

    def log_deletions(self, request, queryset):
        seeded = [h for h in queryset if h.seeded]
        for holiday in seeded:
            active = str(Holiday._meta.get_field("active").verbose_name)
            self.log_change(request, holiday, [{"changed": {"fields": [active]}}])
        added = [h for h in queryset if not h.seeded]
        if added:
            return super().log_deletions(request, added)
        return []

    def delete_model(self, request, obj):
        request._holiday_switched_off = not holiday_remove(obj)

    def delete_queryset(self, request, queryset):
        switched_off = sum(not holiday_remove(holiday) for holiday in queryset)
        if switched_off:
            self.message_user(
                request,
                ngettext(
                    "%(count)d of them came from the holiday seed and was switched off "
                    "rather than deleted, so seeding again does not bring it back.",
                    "%(count)d of them came from the holiday seed and were switched off "
                    "rather than deleted, so seeding again does not bring them back.",
                    switched_off,
                )
                % {"count": switched_off},
                messages.INFO,
            )

    def response_delete(self, request, obj_display, obj_id):
        if not getattr(request, "_holiday_switched_off", False):
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request,
            gettext(
                "“%(day)s” came from the holiday seed: it is switched off rather than "
                "deleted, so seeding again does not bring it back."
            )
            % {"day": obj_display},
            messages.SUCCESS,
        )
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
            current_app=self.admin_site.name,
        )
        context = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return HttpResponseRedirect(add_preserved_filters(context, url))
