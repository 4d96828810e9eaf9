import django_filters
from django.utils.translation import gettext_lazy as _

from directory.models import Department, Presence, Staff
from directory.text import fold


class BoardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_name")
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.active().only("pk", "name", "code")
    )
    presence = django_filters.ChoiceFilter(label=_("Presence"), choices=Presence.choices)

    class Meta:
        model = Staff
        fields = ["q", "department", "presence"]

    def filter_name(self, queryset, name, value):
        folded = fold(value)
        return queryset.filter(search_name__contains=f" {folded}") if folded else queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("department", "presence"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"
