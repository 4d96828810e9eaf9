"""The console's extension point (calls/extensions.py), through the console view:
an outcome an app takes over is checked with the call and saved in its
transaction. The extension here is the test's own; messages_app's are tested
with messages_app."""

from datetime import timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from calls import extensions
from calls.models import Call, Caller, Outcome

CONSOLE = reverse("calls:console")
HTMX = {"HTTP_HX_REQUEST": "true"}
saved = []


class NoteForm(forms.Form):
    text = forms.CharField(max_length=20)

    def __init__(self, *args, call_form=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call_form, self.user = call_form, user


def save_note(*, call, form, user):
    if form.cleaned_data["text"] == "refuse":
        raise ValidationError({"text": "The app refused it."})
    saved.append((call.pk, form.cleaned_data["text"], user.username))
    return form.cleaned_data["text"]


@pytest.fixture
def note_extension(settings, tmp_path):
    template = tmp_path / "note_section.html"
    template.write_text(
        '<div data-extension-section="wrong_number" {% if form.data.outcome != "wrong_number" %}'
        "hidden{% endif %}>{{ ext_form.text }}{{ ext_form.text.errors }}</div>"
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    extension = extensions.OutcomeExtension(
        outcome=Outcome.WRONG_NUMBER,
        form_class=NoteForm,
        template="note_section.html",
        save=save_note,
        saved_text=lambda text: f"Note kept: {text}",
    )
    extensions.register_outcome(extension)
    saved.clear()
    yield extension
    extensions._outcomes.pop(Outcome.WRONG_NUMBER, None)


def post(client, **data):
    started = (timezone.now() - timedelta(seconds=30)).isoformat()
    data = {"direction": "in", "caller_kind": "unknown", "started_at": started, **data}
    return client.post(CONSOLE, data, **HTMX)


def test_the_section_and_its_button_are_rendered_for_the_outcome(operator_client, note_extension):
    body = operator_client.get(CONSOLE).content.decode()

    assert 'data-extension-section="wrong_number"' in body
    assert 'value="wrong_number"' in body and 'data-extension="wrong_number"' in body
    assert 'name="wrong_number-text"' in body


def test_the_call_and_what_the_app_keeps_are_saved_together(operator_client, note_extension):
    response = post(operator_client, outcome="wrong_number", **{"wrong_number-text": "salah"})

    assert response.status_code == 200
    call = Call.objects.get()
    assert saved == [(call.pk, "salah", "op")]
    assert "Note kept: salah" in response.content.decode()


def test_the_apps_refusal_undoes_the_call(operator_client, note_extension):
    response = post(
        operator_client,
        number="0812-3456-7890",
        outcome="wrong_number",
        **{"wrong_number-text": "refuse"},
    )

    assert response.status_code == 422
    assert "The app refused it." in response.content.decode()
    assert not Call.objects.exists() and not Caller.objects.exists() and not saved


def test_errors_of_the_call_and_of_the_section_come_back_together(operator_client, note_extension):
    response = post(operator_client, number="12", outcome="wrong_number")

    assert response.status_code == 422
    assert response.context["form"].errors["number"]
    ext_form = next(  # the apps register extensions of their own too
        item["form"]
        for item in response.context["outcome_extensions"]
        if item["extension"].outcome == Outcome.WRONG_NUMBER
    )
    assert ext_form.errors["text"]
    assert not Call.objects.exists() and not saved


def test_other_outcomes_ignore_the_section(operator_client, note_extension):
    response = post(operator_client, outcome="nuisance")

    assert response.status_code == 200
    assert Call.objects.get().outcome == "nuisance" and not saved
