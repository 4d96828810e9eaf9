"""Admin: complaints and what routes them.

Directory admins keep the categories, the products, the routing rules (in
position order, each with its response targets per severity) and the default
targets, and try a rule set on a sample text with the rule tester (linked from
the rules' list: which rule would catch it, and why). Complaints themselves are
read-only here: every change goes through messages_app.services.complaints
(their page), so the timeline and the notifications are never skipped.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from directory.text import split_terms
from messages_app.forms_complaints import RuleTestForm
from messages_app.models import (
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    Product,
    ResponseTarget,
    RoutingRule,
    SavedFilter,
    Severity,
)
from messages_app.routing import RuleSet, compile_keywords


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("active",)
    search_fields = ("name",)
    ordering = ("position", "name")


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("name", "active")
    list_editable = ("active",)
    list_filter = ("active",)
    search_fields = ("name",)


def _check_minutes(cleaned: dict) -> None:
    acknowledge = cleaned.get("acknowledge_minutes")
    resolve = cleaned.get("resolve_minutes")
    if acknowledge is not None and acknowledge < 1:
        raise ValidationError({"acknowledge_minutes": _("Give at least one minute.")})
    if acknowledge is not None and resolve is not None and resolve < acknowledge:
        raise ValidationError(
            {"resolve_minutes": _("Resolving cannot take less time than acknowledging.")}
        )


class ResponseTargetForm(forms.ModelForm):
    class Meta:
        model = ResponseTarget
        fields = ("severity", "acknowledge_minutes", "resolve_minutes")

    def clean(self):
        cleaned = super().clean()
        _check_minutes(cleaned)
        return cleaned


class ResponseTargetFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            severity = form.cleaned_data.get("severity")
            if severity in seen:
                raise ValidationError(_("Give each severity one target only."))
            if severity:
                seen.add(severity)


class ResponseTargetInline(admin.TabularInline):
    model = ResponseTarget
    form = ResponseTargetForm
    formset = ResponseTargetFormSet
    fields = ("severity", "acknowledge_minutes", "resolve_minutes")
    extra = 0
    max_num = len(Severity.values)
    verbose_name_plural = gettext_lazy(
        "response targets (working minutes; a severity left out takes the default)"
    )


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ("name", "position", "active", "category", "product", "keywords", "department")

    def clean_keywords(self):
        # One spelling, no repeats: "Tagihan, tagihan ,bayar" -> "Tagihan, bayar".
        terms, seen = [], set()
        for term in split_terms(self.cleaned_data.get("keywords", "")):
            folded = term.casefold()
            if folded not in seen:
                seen.add(folded)
                terms.append(term)
        keywords = ", ".join(terms)
        if len(keywords) > 300:
            raise ValidationError(_("Too many keywords: keep them under 300 characters."))
        if terms and not compile_keywords(keywords):
            raise ValidationError(_("The keywords hold no letters or digits."))
        return keywords

    def clean_department(self):
        department = self.cleaned_data.get("department")
        if department is not None and not department.active:
            raise ValidationError(_("This department is no longer active."))
        return department


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    form = RoutingRuleForm
    list_display = ("position", "name", "category", "product", "keywords", "department", "active")
    list_display_links = ("name",)
    list_editable = ("position", "active")
    list_filter = ("active", "department")
    search_fields = ("name", "keywords")
    list_select_related = ("category", "product", "department")
    autocomplete_fields = ("department",)
    ordering = ("position", "id")
    inlines = [ResponseTargetInline]

    def get_urls(self):
        test = self.admin_site.admin_view(self.rule_test_view)
        return [
            path("test/", test, name="messages_app_routingrule_test"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.active and not (obj.category_id or obj.product_id or obj.keywords.strip()):
            later = RoutingRule.objects.filter(active=True, position__gt=obj.position).count()
            if later:
                messages.warning(
                    request,
                    _(
                        "“%(name)s” has no condition, so it catches every complaint: the "
                        "%(count)s active rules after it are never reached."
                    )
                    % {"name": obj.name, "count": later},
                )

    def rule_test_view(self, request):
        """Which rule would catch a sample complaint, and why: every active
        rule in order up to the one that holds, each condition checked."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RuleTestForm(request.GET or None)
        trials, decision, severity = [], None, Severity.MEDIUM
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            severity = data.get("severity") or Severity.MEDIUM
            rules = RuleSet.load()
            sample = {
                "category": data.get("category"),
                "product": data.get("product"),
                "description": data.get("text", ""),
            }
            trials = rules.explain(**sample)
            decision = rules.decide(**sample)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Test the routing rules"),
            "form": form,
            "trials": trials,
            "decision": decision,
            "target": decision.target(severity) if decision else None,
            "severity_label": Severity(severity).label,
        }
        return TemplateResponse(request, "admin/messages_app/routingrule/test.html", context)


@admin.register(ResponseTarget)
class ResponseTargetAdmin(admin.ModelAdmin):
    """The targets: the defaults (no rule) and each rule's, which the rule's
    own page edits too."""

    form = ResponseTargetForm
    list_display = ("__str__", "rule", "severity", "acknowledge_minutes", "resolve_minutes")
    list_filter = (("rule", admin.EmptyFieldListFilter), "severity")
    list_select_related = ("rule",)
    ordering = ("rule__position", "rule", "severity")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ("rule", "severity", "acknowledge_minutes", "resolve_minutes")
        return super().get_form(request, obj, change, **kwargs)


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    fields = ("at", "kind", "by", "from_status", "to_status", "visibility", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    """Read-only: complaints change through their page (the services)."""

    list_display = (
        "reference",
        "created_at",
        "customer_name",
        "department",
        "status",
        "severity",
        "assigned_to",
    )
    list_filter = ("status", "severity", "department")
    search_fields = ("=reference", "customer_name")
    list_select_related = ("department", "assigned_to")
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 100
    exclude = ("search_text",)
    inlines = [ComplaintEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "search_text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "shared", "created_at")
    list_filter = ("shared",)
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
