"""The template-free widgets write exactly what Django's widget templates write."""

import pytest

from switchboard.widgets import (
    FastDateInput,
    FastHiddenInput,
    FastRenderMixin,
    FastSelect,
    FastTextarea,
    FastTextInput,
    FastTimeInput,
)

CHOICES = [("", "—"), ("a", "Ä & <b>"), ("Group", [("g1", "One"), ("g2", 'Two "2"')])]


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (FastTextInput(attrs={"class": "form-control", "maxlength": 40, "required": True}), "x<y"),
        (FastTextInput(attrs={"disabled": False}), None),
        (FastHiddenInput(), "42"),
        (FastDateInput(attrs={"type": "date"}), "2026-11-22"),
        (FastTimeInput(), "08:30"),
        (FastTextarea(attrs={"rows": 2}), 'line "one"\n<two>'),
        (FastTextarea(), None),
        (FastSelect(choices=CHOICES, attrs={"class": "form-select"}), "g2"),
        (FastSelect(choices=CHOICES), ""),
    ],
)
def test_fast_widgets_render_as_djangos_templates(widget, value):
    fast = widget.render("field", value, attrs={"id": "id_field"})
    django = super(FastRenderMixin, widget).render("field", value, attrs={"id": "id_field"})

    assert fast == django
