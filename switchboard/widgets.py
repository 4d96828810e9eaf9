"""Form widgets that render without the template engine, for pages that render
many fields per request (the operator console, the call-log filters)."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _join(parts) -> SafeString:
    """Safe pieces of HTML as one; anything not already safe is escaped."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _attrs(attrs: dict) -> SafeString:
    """HTML attributes as Django's widgets/attrs.html writes them."""
    return _join(
        format_html(' {}="{}"', name, value) if value is not True else format_html(" {}", name)
        for name, value in attrs.items()
        if value is not False
    )


class FastRenderMixin:
    """Writes the widget's HTML in Python, exactly as Django's widget templates
    do: the console form and the call-log filters render dozens of fields and
    hundreds of options per answer, and a template render per field and per
    option was most of their time."""

    def render(self, name, value, attrs=None, renderer=None):
        return self.render_widget(self.get_context(name, value, attrs)["widget"])


class FastInputMixin(FastRenderMixin):
    def render_widget(self, widget) -> SafeString:
        value = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value,
            _attrs(widget["attrs"]),
        )


class FastHiddenInput(FastInputMixin, forms.HiddenInput):
    pass


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastTimeInput(FastInputMixin, forms.TimeInput):
    pass


class FastTextarea(FastRenderMixin, forms.Textarea):
    def render_widget(self, widget) -> SafeString:
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            widget["name"],
            _attrs(widget["attrs"]),
            widget["value"] or "",
        )


class FastSelect(FastRenderMixin, forms.Select):
    def render_widget(self, widget) -> SafeString:
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    option["value"],
                    _attrs(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append(SafeString("\n  </optgroup>"))
        parts.append(SafeString("\n</select>"))
        return _join(parts)


class FlatChoicesMixin:
    """A select written straight from its flat choices in one format_html_join
    (the complaint list shows a few hundred people in a list; Django's option
    dictionaries and FastSelect's attributes per option were most of its
    time). Grouped choices take Django's way."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen = {str(v) for v in self.format_value(value)}
        selected = SafeString(" selected")
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>',
            ((str(v), selected if str(v) in chosen else "", label) for v, label in choices),
        )
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        return format_html('<select name="{}"{}>{}\n</select>', name, _attrs(final), options)


class FlatSelect(FlatChoicesMixin, forms.Select):
    pass


class FastSelectMultiple(FlatChoicesMixin, forms.SelectMultiple):
    """A list box of several choices."""
