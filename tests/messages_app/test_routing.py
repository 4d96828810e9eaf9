"""Routing rules (messages_app.routing): position order, active only, every
condition a rule sets must hold, keywords folded and matched at the start of a
word, the first rule wins, no rule -> unrouted; targets from the rule, else the
default. Also the console's preview endpoint and the admin's rule tester."""

import pytest
from django.urls import reverse

from messages_app.models import RoutingRule, Severity
from messages_app.routing import RuleSet, Target, route
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)
from tests.messages_app.factories import (
    ComplaintCategoryFactory,
    ResponseTargetFactory,
    RoutingRuleFactory,
)

pytestmark = pytest.mark.django_db


def test_the_category_rule_sends_a_billing_complaint_to_finance(rules, billing, finance):
    decision = route(category=billing, product=None, description="Saya mau protes")

    assert decision.rule == rules["tagihan"]
    assert decision.department == finance
    assert decision.summary() == "→ Keuangan (rule: Tagihan)"


def test_a_keyword_catches_the_text_whatever_its_case_and_accents(rules, service):
    for text in ("Ada GANGGUAN jaringan", "gangguán di rumah", "Mesinnya RUSAK total"):
        decision = route(category=None, product=None, description=text)
        assert decision.department == service, text
        assert decision.rule == rules["gangguan"]


def test_a_keyword_matches_at_the_start_of_a_word_only(finance):
    rule = RoutingRuleFactory(name="Tagih", keywords="tagih", department=finance)

    assert route(description="Tagihannya salah").rule == rule  # a longer word it begins
    assert route(description="saya ditagih dua kali").rule is None  # inside a word
    assert route(description="tagih").rule == rule


def test_a_keyword_of_several_words_matches_them_in_order(finance):
    rule = RoutingRuleFactory(name="Kartu hilang", keywords="kartu hilang", department=finance)

    assert route(description="KARTU   hilang kemarin").rule == rule
    assert route(description="hilang kartu").rule is None


def test_every_condition_a_rule_sets_must_hold(finance, billing, card):
    both = RoutingRuleFactory(
        name="Tagihan kartu",
        position=1,
        category=billing,
        product=card,
        keywords="bunga",
        department=finance,
    )

    assert route(category=billing, product=card, description="bunga terlalu tinggi").rule == both
    assert route(category=billing, product=card, description="biaya admin").rule is None
    assert route(category=billing, product=None, description="bunga").rule is None
    assert route(category=None, product=card, description="bunga").rule is None


def test_rules_are_tried_in_position_order_and_the_first_wins(finance, service, billing):
    later = RoutingRuleFactory(name="Later", position=50, category=billing, department=service)
    first = RoutingRuleFactory(name="First", position=5, category=billing, department=finance)

    decision = route(category=billing, description="")

    assert decision.rule == first and decision.department == finance
    first.active = False
    first.save()
    assert route(category=billing, description="").rule == later


def test_a_rule_with_no_condition_is_the_fallback(rules, service, billing):
    fallback = RoutingRuleFactory(name="Sisanya", position=999, department=service)

    assert route(description="Pelayanan kurang ramah").rule == fallback
    assert route(category=billing, description="").rule == rules["tagihan"]  # earlier rules first


def test_no_rule_leaves_the_complaint_unrouted_with_the_default_targets(rules, defaults):
    decision = route(description="Satpam kurang ramah")

    assert decision.rule is None and decision.department is None and not decision.routed
    assert decision.summary().startswith("→ no department: unrouted")
    assert decision.acknowledge_minutes(Severity.MEDIUM) == 240
    assert decision.resolve_minutes(Severity.HIGH) == 480
    assert decision.target(Severity.CRITICAL) is None  # no default set for it


def test_the_rules_target_wins_and_a_severity_it_leaves_out_takes_the_default(rules, billing):
    decision = route(category=billing, description="")

    assert decision.target(Severity.HIGH) == Target(30, 240)  # the rule's own
    assert decision.target(Severity.MEDIUM) == Target(240, 2400)  # the default


def test_a_rule_whose_department_was_closed_is_passed_over(finance, service, billing):
    service.active = False
    service.save()
    RoutingRuleFactory(name="Closed", position=1, category=billing, department=service)
    open_rule = RoutingRuleFactory(name="Open", position=2, category=billing, department=finance)

    assert route(category=billing, description="").rule == open_rule


def test_the_rules_load_in_two_queries_and_decide_in_memory(
    rules, billing, django_assert_num_queries
):
    for n in range(30):
        RoutingRuleFactory(name=f"R{n}", position=100 + n, keywords=f"kata{n:02d}")
        ResponseTargetFactory(rule=RoutingRule.objects.last(), severity="low")
    with django_assert_num_queries(2):
        rule_set = RuleSet.load()
    with django_assert_num_queries(0):
        for n in range(30):
            assert rule_set.decide(description=f"ada kata{n:02d} di sini").rule.name == f"R{n}"
        assert rule_set.decide(category=billing).rule == rules["tagihan"]


def test_explain_says_why_each_rule_held_or_not(rules, billing):
    trials = RuleSet.load().explain(category=None, description="printer rusak")

    assert [t.rule.name for t in trials] == ["Tagihan", "Gangguan"]
    assert not trials[0].holds
    assert trials[0].checks[0].text == "category is not Tagihan"
    assert trials[1].holds and trials[1].matched_keyword == "rusak"
    assert trials[1].checks[0].text == "the text has the keyword “rusak”"


# The preview the console and the form ask for ----------------------------------------

PREVIEW = reverse("messages_app:complaint-route-preview")


def test_the_preview_shows_where_it_goes_with_the_targets(operator_client, rules, billing):
    response = operator_client.get(
        PREVIEW,
        {"prefix": "complaint", "complaint-category": billing.pk, "complaint-severity": "high"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "→ Keuangan (rule: Tagihan)" in html
    assert "High: acknowledge within 30 min, resolve within 4 h (working time)." in html


def test_the_preview_reads_the_purpose_when_the_description_is_empty(operator_client, rules):
    html = operator_client.get(PREVIEW, {"purpose": "Listrik gangguan"}).content.decode()

    assert "→ Layanan (rule: Gangguan)" in html


def test_the_preview_takes_junk_without_an_error(operator_client, rules):
    for junk in ("abc", "9" * 40, "1\x00", "-1", "١٢"):
        response = operator_client.get(
            PREVIEW, {"category": junk, "product": junk, "severity": junk}
        )
        assert response.status_code == 200
        assert "unrouted" in response.content.decode()


def test_the_preview_is_the_desks(staff_client, outsider_client):
    assert staff_client.get(PREVIEW).status_code == 403
    assert outsider_client.get(PREVIEW).status_code == 403


# The admin's rule tester --------------------------------------------------------------

TESTER = reverse("admin:messages_app_routingrule_test")


def test_the_rule_list_links_the_tester(admin_client_dir, rules):
    html = admin_client_dir.get(reverse("admin:messages_app_routingrule_changelist")).content
    assert TESTER.encode() in html


def test_the_tester_shows_which_rule_catches_a_sample_and_why(admin_client_dir, rules, billing):
    response = admin_client_dir.get(TESTER, {"text": "Mesin ATM rusak", "severity": "medium"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "→ Layanan (rule: Gangguan)" in html
    assert f'data-rule-trial="{rules["tagihan"].pk}" data-holds="no"' in html
    assert f'data-rule-trial="{rules["gangguan"].pk}" data-holds="yes"' in html
    assert "the text has the keyword “rusak”" in html
    assert "Medium: acknowledge within 4 h, resolve within 40 h (working time)." in html


def test_the_tester_says_when_no_rule_catches_it(admin_client_dir, rules):
    html = admin_client_dir.get(TESTER, {"text": "Parkir penuh"}).content.decode()

    assert "No rule catches it" in html
    assert "the text has none of the keywords “gangguan”, “rusak”" in html


def test_the_tester_is_for_those_who_keep_the_rules(operator_client, supervisor_client):
    for client in (operator_client, supervisor_client):
        response = client.get(TESTER)
        assert response.status_code == 302 and "login" in response["Location"]


# Admin validation -----------------------------------------------------------------------


def _rule_post(department, **extra):
    data = {
        "name": "Baru",
        "position": "30",
        "active": "on",
        "keywords": "",
        "department": department.pk,
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "4",
    }
    data.update(extra)
    return data


def test_the_admin_keeps_keywords_in_one_spelling(admin_client_dir, finance):
    url = reverse("admin:messages_app_routingrule_add")
    response = admin_client_dir.post(url, _rule_post(finance, keywords="Tagihan, tagihan ,bayar;"))

    assert response.status_code == 302
    assert RoutingRule.objects.get().keywords == "Tagihan, bayar"


def test_the_admin_refuses_two_targets_for_one_severity_and_a_faster_resolve(
    admin_client_dir, finance
):
    url = reverse("admin:messages_app_routingrule_add")
    twice = _rule_post(
        finance,
        **{
            "targets-TOTAL_FORMS": "2",
            "targets-0-severity": "high",
            "targets-0-acknowledge_minutes": "30",
            "targets-0-resolve_minutes": "240",
            "targets-1-severity": "high",
            "targets-1-acknowledge_minutes": "60",
            "targets-1-resolve_minutes": "30",
        },
    )

    html = admin_client_dir.post(url, twice).content.decode()

    assert "Resolving cannot take less time than acknowledging." in html
    assert not RoutingRule.objects.exists()
    twice["targets-1-resolve_minutes"] = "600"
    html = admin_client_dir.post(url, twice).content.decode()
    assert "Give each severity one target only." in html
    assert not RoutingRule.objects.exists()


def test_the_admin_warns_when_a_catch_all_rule_hides_later_ones(admin_client_dir, rules, finance):
    url = reverse("admin:messages_app_routingrule_add")
    response = admin_client_dir.post(url, _rule_post(finance, position="1"), follow=True)

    assert "the 2 active rules after it are never reached" in response.content.decode()


def test_a_category_of_the_tester_is_any_category(admin_client_dir, finance):
    old = ComplaintCategoryFactory(name="Lama", active=False)
    RoutingRuleFactory(name="Lama", category=old, department=finance)

    html = admin_client_dir.get(TESTER, {"category": old.pk}).content.decode()

    assert "→ Keuangan (rule: Lama)" in html


def test_the_preview_says_when_the_operator_sends_it_elsewhere(
    operator_client, rules, billing, service
):
    html = operator_client.get(
        PREVIEW,
        {
            "prefix": "complaint",
            "complaint-category": billing.pk,
            "complaint-department": service.pk,
        },
    ).content.decode()

    assert "→ Keuangan (rule: Tagihan)" in html
    assert "You send it to Layanan instead: say why below." in html
