"""The complaint_list scenario and its data set, at a tiny scale in the test database."""

from datetime import timedelta

from bench import core
from directory.models import Staff
from messages_app.models import Complaint, ComplaintStatus
from messages_app.services.complaints import complaint_search_text

SCALE = 0.001  # 1,000 complaints from 100 customers; the directory at 20 staff


def test_complaints_data_set_is_consistent(db):
    core.load()
    summary = core.ensure_dataset("complaints", core.Context(scale=SCALE))

    assert summary["n_complaints"] == Complaint.objects.count() == 1000
    assert Complaint.history.model.objects.count() == 0  # bulk load, no history
    # References are gap-free per year, in the order complaints came in.
    for year in Complaint.objects.values_list("year", flat=True).distinct():
        numbers = list(
            Complaint.objects.filter(year=year)
            .order_by("created_at", "pk")
            .values_list("number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
    # The search text is what the services would have written.
    for complaint in Complaint.objects.order_by("pk")[:50]:
        assert complaint.search_text == complaint_search_text(complaint)
    # Old complaints are done; open ones are the last month's; assignees work there.
    open_ones = Complaint.objects.filter(
        status__in=["new", "routed", "acknowledged", "in_progress", "reopened"]
    )
    assert summary["n_open"] == open_ones.count() > 0
    newest = Complaint.objects.latest("created_at").created_at
    assert open_ones.earliest("created_at").created_at > newest - timedelta(days=31)
    assert summary["n_unrouted"] == Complaint.objects.filter(department__isnull=True).count()
    assert (
        not Complaint.objects.filter(department__isnull=True)
        .exclude(status=ComplaintStatus.NEW)
        .exists()
    )
    for complaint in Complaint.objects.filter(assigned_to__isnull=False).select_related(
        "assigned_to"
    )[:50]:
        assert complaint.assigned_to.department_id == complaint.department_id
    assert Staff.objects.filter(user__username="bench-complaints-staff").count() == 1


def test_complaint_list_reports_figures_and_constant_queries(db):
    small = core.run_scenario("complaint_list", core.Context(scale=SCALE, samples=20))

    for key in ("p50_ms", "p95_ms", "queries_per_request", "ratio_to_sql", "p95_ms_default",
                "p95_ms_keyword", "p95_ms_deep_page", "p95_ms_queue", "p95_ms_overdue",
                "times_faster_than_helpdesk_default", "n_complaints"):  # fmt: skip
        assert isinstance(small[key], int | float) and small[key] >= 0, key
    assert small["engine"] in ("sqlite", "postgresql")
    assert small["p95_ms"] >= small["p50_ms"] > 0
    assert small["rows_on_default_page"] == 50
    assert small["rows_on_deep_page"] > 0  # the last page of the first 1,000 rows
    assert small["queries_per_request_list"] <= 11

    bigger = core.run_scenario("complaint_list", core.Context(scale=SCALE * 3, samples=20))
    assert bigger["n_complaints"] == Complaint.objects.count() == 3000
    assert bigger["queries_per_request_list"] == small["queries_per_request_list"]
    assert bigger["queries_per_request_queue"] == small["queries_per_request_queue"]


def test_the_scenario_is_registered_with_its_data_set():
    core.load()
    assert core.SCENARIOS["complaint_list"].needs == ("complaints",)
    assert core.DATASETS["complaints"].needs == ("directory",)
