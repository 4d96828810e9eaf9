"""The console's complaint section (messages_app/console_complaint.py), through
the console view: the call and its complaint are saved together or not at all,
the customer is the call's caller, the purpose is the description, and the
reference comes back large with the sentence to read out."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, Caller, Outcome
from messages_app.models import Complaint, NotificationKind
from tests.factories import CallerFactory
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)
from tests.messages_app.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

CONSOLE = reverse("calls:console")
HTMX = {"HTTP_HX_REQUEST": "true"}


def post(client, **data):
    started = (timezone.now() - timedelta(seconds=40)).isoformat()
    values = {
        "direction": "in",
        "caller_kind": "customer",
        "started_at": started,
        "number": "0812-3456-7890",
        "caller_name": "Bu Ani",
        "caller_company": "PT Maju",
        "purpose": "Tagihan kartu kredit dobel",
        "outcome": Outcome.COMPLAINT,
        "complaint-severity": "medium",
        "complaint-language": "en",
    }
    values.update(data)
    return client.post(CONSOLE, values, **HTMX)


def test_the_console_has_the_complaint_section_hidden_until_its_key(operator_client, billing):
    html = operator_client.get(CONSOLE).content.decode()

    section = re.search(r'<fieldset[^>]*data-extension-section="complaint"[^>]*>', html).group()
    assert "hidden" in section
    assert 'name="complaint-category"' in html and "Tagihan" in html
    assert 'data-extension="complaint"' in html  # the outcome's button opens it first
    assert "js/console_complaint.js" in html


def test_the_call_and_its_complaint_are_saved_together(operator_client, operator, rules, billing):
    response = post(operator_client, **{"complaint-category": billing.pk})

    assert response.status_code == 200
    call = Call.objects.get()
    complaint = Complaint.objects.get()
    assert complaint.call == call and complaint.caller == call.caller
    assert complaint.customer_name == "Bu Ani"
    assert complaint.customer_number.as_e164 == "+6281234567890"
    assert complaint.description == "Tagihan kartu kredit dobel"  # the purpose, typed once
    assert complaint.department.name == "Keuangan" and complaint.created_by == operator
    assert complaint.created_at == call.ended_at


def test_the_reference_comes_back_large_with_the_sentence_to_read_out(operator_client, rules):
    response = post(operator_client)

    complaint = Complaint.objects.get()
    html = response.content.decode()
    assert f'id="complaint-saved-reference">{complaint.reference}</div>' in html
    assert f'lang="en" data-read-out>Your complaint number is {complaint.reference}.</p>' in html
    status = re.search(r'<span id="console-status"[^>]*>(.*?)</span>', html, re.S).group(1)
    assert f"Complaint {complaint.reference} saved, unrouted" in status  # no rule caught it
    # The fresh form's section is closed again; the reference stays above it.
    assert re.search(r'<fieldset[^>]*data-extension-section="complaint"[^>]*hidden', html)


def test_the_read_out_sentence_follows_the_language_chosen(operator_client, rules):
    response = post(operator_client, **{"complaint-language": "id"})

    complaint = Complaint.objects.get()
    assert complaint.language == "id"
    assert 'lang="id" data-read-out>' in response.content.decode()


def test_a_description_typed_in_the_section_is_kept(operator_client, rules):
    post(operator_client, **{"complaint-description": "Tagihan dobel, sudah dua bulan."})

    complaint = Complaint.objects.get()
    assert complaint.description == "Tagihan dobel, sudah dua bulan."
    assert Call.objects.get().purpose == "Tagihan kartu kredit dobel"


def test_an_override_without_a_reason_undoes_the_call(operator_client, rules, billing, service):
    response = post(
        operator_client, **{"complaint-category": billing.pk, "complaint-department": service.pk}
    )

    assert response.status_code == 422
    assert 'data-error-for="complaint-override_reason"' in response.content.decode()
    assert not Call.objects.exists() and not Complaint.objects.exists()
    assert not Caller.objects.exists()


def test_an_override_with_a_reason_goes_where_the_operator_says(
    operator_client, rules, billing, service
):
    post(
        operator_client,
        **{
            "complaint-category": billing.pk,
            "complaint-department": service.pk,
            "complaint-override_reason": "Pelanggan minta Layanan",
        },
    )

    complaint = Complaint.objects.get()
    assert complaint.department == service
    assert complaint.route_override_reason == "Pelanggan minta Layanan"


def test_a_withheld_number_needs_an_e_mail(operator_client, rules):
    response = post(operator_client, number="", withheld="on")

    assert response.status_code == 422
    assert 'data-error-for="complaint-customer_email"' in response.content.decode()
    assert not Call.objects.exists()

    post(operator_client, number="", withheld="on", **{"complaint-customer_email": "a@b.co"})
    assert Complaint.objects.get().customer_email == "a@b.co"


def test_a_complaint_needs_the_callers_name(operator_client, rules):
    response = post(operator_client, caller_name="")

    assert response.status_code == 422
    assert 'data-error-for="caller_name"' in response.content.decode()
    assert not Call.objects.exists()


def test_the_customer_gets_an_acknowledgement_only_with_an_e_mail(operator_client, rules):
    post(operator_client)
    post(operator_client, **{"complaint-customer_email": "ani@example.com"})

    first, second = Complaint.objects.order_by("number")
    assert not first.notifications.filter(kind=NotificationKind.COMPLAINT_RECEIVED).exists()
    assert second.notifications.get(kind=NotificationKind.COMPLAINT_RECEIVED).address == (
        "ani@example.com"
    )


def test_bad_section_values_are_field_errors(operator_client, rules):
    response = post(
        operator_client,
        **{"complaint-category": "9" * 30, "complaint-severity": "boom", "complaint-product": "x"},
    )

    assert response.status_code == 422
    html = response.content.decode()
    for name in ("category", "severity", "product"):
        assert f'data-error-for="complaint-{name}"' in html
    assert not Call.objects.exists()


def test_other_outcomes_leave_complaints_alone(operator_client, rules):
    response = post(operator_client, outcome=Outcome.NUISANCE)

    assert response.status_code == 200
    assert Call.objects.get().outcome == Outcome.NUISANCE and not Complaint.objects.exists()


# The caller panel ---------------------------------------------------------------------------


def test_the_caller_panel_shows_the_numbers_complaints_with_their_state(operator_client, finance):
    caller = CallerFactory(number="+6281234567890", name="Bu Ani")
    complaint = ComplaintFactory(caller=caller, department=finance, status="routed")

    html = operator_client.get(
        reverse("calls:caller-lookup"), {"number": "0812-3456-7890"}
    ).content.decode()

    assert f'data-complaint-ref="{complaint.reference}"' in html
    assert "Routed" in html and "1 open" in html


def test_the_panel_stays_short_and_shows_the_open_ones_first(operator_client, finance):
    caller = CallerFactory(number="+6281234567890")
    now = timezone.now()
    old_open = ComplaintFactory(
        caller=caller, department=finance, status="routed", created_at=now - timedelta(days=30)
    )
    for n in range(7):
        ComplaintFactory(
            caller=caller, department=finance, status="closed", created_at=now - timedelta(days=n)
        )

    html = operator_client.get(
        reverse("calls:caller-lookup"), {"number": "0812-3456-7890"}
    ).content.decode()

    refs = re.findall(r'data-complaint-ref="([^"]+)"', html)
    assert len(refs) == 5 and refs[0] == old_open.reference
    assert "… and older ones." in html
