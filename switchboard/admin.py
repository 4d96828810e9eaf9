from django.contrib import admin

from switchboard.models import UserPreference


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    """A person's saved language. A change here applies from their next log-in;
    the language menu applies at once, for the person who uses it."""

    list_display = ("user", "language", "updated_at")
    list_filter = ("language",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)
    readonly_fields = ("updated_at",)
