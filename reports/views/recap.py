"""The daily recap pages (supervisors: reports.view_dailyrecap; every change
needs reports.change_dailyrecap; anyone else 403, anonymous to the log-in):

- recap-list: the recaps with their status, by month and status, paginated;
- recap-detail: one day's recap by date (/reports/recaps/2026-12-01/): charts,
  the figures as tables, each linked to the rows behind it, the comment,
  "mark reviewed", sign-off and rebuild; a day without a recap offers to
  build it; a date that is not one, or is still to come, is a 404;
- recap-build, recap-comment, recap-review, recap-sign-off: POST-only actions
  (reports.services.recap), each checked against the version the page showed;
- recap-xlsx, recap-csv: the figures as a workbook (real numbers) or CSV.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports.forms_recap import CommentForm, RebuildForm, RecapListForm, VersionForm
from reports.models import DailyRecap, RecapStatus
from reports.selectors_recap import charts, comparisons, flat_rows, recap_list, sections
from reports.services.recap import (
    RecapConflict,
    RecapSignedOff,
    headline,
    local_today,
    recap_build,
    recap_comment,
    recap_mark_reviewed,
    recap_sign_off,
)
from switchboard.spreadsheets import csv_stream, xlsx_bytes

VIEW = "reports.view_dailyrecap"
CHANGE = "reports.change_dailyrecap"
PAGE_SIZE = 31
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(user, perm: str) -> None:
    if not user.has_perm(VIEW) or not user.has_perm(perm):
        raise PermissionDenied


def _day_or_404(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Http404 from None
    if len(value) != 10 or day.year < 2000 or day > local_today():
        raise Http404
    return day


def _detail_url(day: date) -> str:
    return reverse("reports:recap-detail", args=[day.isoformat()])


@require_GET
def recap_list_view(request):
    _require(request.user, VIEW)
    form = RecapListForm(request.GET or None)
    month = status = None
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"]
        status = form.cleaned_data["status"]
    found = recap_list(month=month.replace(day=1) if month else None, status=status or "")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "recaps": page.object_list,
        "query": query.urlencode(),
        "yesterday_url": _detail_url(date.fromordinal(local_today().toordinal() - 1)),
    }
    return render(request, "reports/recap_list.html", context)


def _detail_context(request, day: date, recap: DailyRecap | None, **forms) -> dict:
    today = local_today()
    context = {
        "day": day,
        "recap": recap,
        "can_change": request.user.has_perm(CHANGE),
        "prev_day": _detail_url(date.fromordinal(day.toordinal() - 1)),
        "next_day": _detail_url(date.fromordinal(day.toordinal() + 1)) if day < today else None,
        "is_today": day == today,
        "rebuild_form": forms.get("rebuild_form") or RebuildForm(),
    }
    if recap is None:
        return context
    figures = recap.figures or {}
    status = recap.status
    version = {"version": recap.version}
    context.update(
        {
            "sections": sections(figures, day),
            "charts": charts(figures, day),
            "comparisons": comparisons(figures),
            "headline": headline(figures),
            "usual_weeks": (figures.get("usual") or {}).get("weeks", 0),
            "missed_open": (figures.get("missed") or {}).get("open", []),
            "comment_form": forms.get("comment_form")
            or CommentForm(initial={"comment": recap.comment, **version}),
            "version_form": VersionForm(initial=version),
            "can_review": status in (RecapStatus.BUILT, RecapStatus.REBUILT),
            "can_sign": status != RecapStatus.SIGNED_OFF and day < today,
            "signed_off": status == RecapStatus.SIGNED_OFF,
            "signed_headline": headline(recap.signed_figures) if recap.signed_figures else None,
        }
    )
    if context["signed_headline"]:
        current = context["headline"]
        context["signed_changes"] = [
            {"key": key, "signed": value, "now": current.get(key)}
            for key, value in context["signed_headline"].items()
            if value != current.get(key)
        ]
    return context


@require_GET
def recap_detail(request, day: str):
    _require(request.user, VIEW)
    day = _day_or_404(day)
    recap = DailyRecap.objects.select_related("signed_by", "reviewed_by").filter(date=day).first()
    return render(request, "reports/recap_detail.html", _detail_context(request, day, recap))


def _action(request, day: str) -> tuple[date, DailyRecap]:
    _require(request.user, CHANGE)
    day = _day_or_404(day)
    recap = DailyRecap.objects.filter(date=day).first()
    if recap is None:
        raise Http404
    return day, recap


def _invalid(request, day, recap, **forms):
    context = _detail_context(request, day, recap, **forms)
    return render(request, "reports/recap_detail.html", context, status=400)


def _put_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
def recap_build_view(request, day: str):
    """Build a day without a recap, or rebuild one (a signed-off one with a
    reason, which the history keeps)."""
    _require(request.user, CHANGE)
    day = _day_or_404(day)
    recap = DailyRecap.objects.filter(date=day).first()
    form = RebuildForm(request.POST)
    if not form.is_valid():
        return _invalid(request, day, recap, rebuild_form=form)
    posted = request.POST.get("version", "")
    if recap is not None and posted != str(recap.version):
        messages.error(request, _conflict_text())
        return redirect(_detail_url(day))
    signed = recap is not None and recap.status == RecapStatus.SIGNED_OFF
    try:
        recap_build(day=day, by=request.user, reason=form.cleaned_data["reason"], force=signed)
    except RecapSignedOff as refused:
        messages.error(request, refused.messages[0])
        return redirect(_detail_url(day))
    except ValidationError as error:
        _put_errors(form, error)
        return _invalid(request, day, recap, rebuild_form=form)
    messages.success(
        request,
        _("The recap of %(day)s is built.") % {"day": date_format(day, "DATE_FORMAT")},
    )
    return redirect(_detail_url(day))


def _conflict_text() -> str:
    return _(
        "Someone else changed this recap a moment ago (or it was rebuilt). Nothing "
        "was changed: check it as it is now and try again."
    )


@require_POST
def recap_comment_view(request, day: str):
    day, recap = _action(request, day)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            recap_comment(
                recap=recap,
                by=request.user,
                comment=form.cleaned_data["comment"],
                version=form.cleaned_data["version"],
            )
        except RecapConflict as conflict:
            messages.error(request, conflict.messages[0])
            return redirect(_detail_url(day))
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("The comment is saved."))
            return redirect(_detail_url(day))
    return _invalid(request, day, recap, comment_form=form)


def _step(request, day: str, service, done: str):
    day, recap = _action(request, day)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _conflict_text())
        return redirect(_detail_url(day))
    try:
        service(recap=recap, by=request.user, version=form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect(_detail_url(day))


@require_POST
def recap_review_view(request, day: str):
    return _step(request, day, recap_mark_reviewed, _("The recap is marked reviewed."))


@require_POST
def recap_sign_off_view(request, day: str):
    return _step(request, day, recap_sign_off, _("The recap is signed off."))


def _export_recap(request, day: str) -> tuple[date, DailyRecap]:
    _require(request.user, VIEW)
    day = _day_or_404(day)
    recap = DailyRecap.objects.filter(date=day).first()
    if recap is None:
        raise Http404
    return day, recap


def _header() -> list[str]:
    return [_("Section"), _("Figure"), _("Value"), _("Usual (same weekday)")]


@require_GET
def recap_xlsx(request, day: str):
    day, recap = _export_recap(request, day)
    body = xlsx_bytes(
        _header(), flat_rows(recap.figures, day), title=f"{day:%Y-%m-%d}", widths=[34, 48, 12, 14]
    )
    response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="recap-{day:%Y-%m-%d}.xlsx"'
    return response


@require_GET
def recap_csv(request, day: str):
    day, recap = _export_recap(request, day)
    response = StreamingHttpResponse(
        csv_stream(_header(), flat_rows(recap.figures, day)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="recap-{day:%Y-%m-%d}.csv"'
    return response


urlpatterns = [
    path("recaps/", recap_list_view, name="recap-list"),
    path("recaps/<str:day>/", recap_detail, name="recap-detail"),
    path("recaps/<str:day>/build/", recap_build_view, name="recap-build"),
    path("recaps/<str:day>/comment/", recap_comment_view, name="recap-comment"),
    path("recaps/<str:day>/review/", recap_review_view, name="recap-review"),
    path("recaps/<str:day>/sign-off/", recap_sign_off_view, name="recap-sign-off"),
    path("recaps/<str:day>/xlsx/", recap_xlsx, name="recap-xlsx"),
    path("recaps/<str:day>/csv/", recap_csv, name="recap-csv"),
]
