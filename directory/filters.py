import django_filters
from django.utils.translation import gettext_lazy as _

from directory.models import Department, Extension, Presence, Staff
from directory.text import fold


class BoardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or extension"), method="filter_name")
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.active().only("pk", "name", "code").order_by("name", "pk"),
        empty_label=_("All departments"),
    )
    presence = django_filters.ChoiceFilter(
        label=_("Presence"), choices=Presence.choices, empty_label=_("Anyone")
    )

    class Meta:
        model = Staff
        fields = ["q", "department", "presence"]

    def filter_name(self, queryset, name, value):
        """A word of the name starting with what was typed ("bud" finds Budi
        and Rina Budiman), or, for digits, an extension starting with them."""
        folded = fold(value)
        if not folded:
            return queryset
        if folded.isascii() and folded.isdigit():
            numbers = Extension.objects.filter(number__startswith=folded).values("staff_id")
            return queryset.filter(pk__in=numbers)
        return queryset.filter(search_name__contains=f" {folded}")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        fields["q"].max_length = 100
        fields["q"].widget.input_type = "search"
        fields["q"].widget.attrs.update(
            {
                "class": "form-control form-control-sm",
                "autocomplete": "off",
                "placeholder": _("Part of a name, or an extension"),
                "maxlength": "100",
            }
        )
        for name in ("department", "presence"):
            fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def has_filters(self) -> bool:
        """Whether any filter narrows the board (a page number alone does not)."""
        return any(self.form.data.get(name) for name in self.filters)
