"""Which department a complaint goes to, and how fast it must be handled.

    decision = route(category=tagihan, product=None, description="Tagihan saya dobel")
    decision.department          # Keuangan, or None: unrouted (supervisors route it)
    decision.rule                # the rule that caught it, or None
    decision.acknowledge_minutes("high"), decision.resolve_minutes("high")

The rules (RoutingRule, kept by admins) are tried in `position` order, active
ones only; the first whose conditions all hold wins. A rule sets any of three
conditions, and each one it sets must hold:

- category: the complaint's category is the rule's;
- product: the complaint's product is the rule's;
- keywords: the description contains at least one of them.

Keywords are compared folded (case and accents ignored: "Tagihan", "TAGIHAN"
and "tagihán" meet) and match at the start of a word, so a keyword also
catches the longer words it begins: "tagih" catches "tagihan" and "tagihannya"
(Indonesian builds words with suffixes), but not "ditagih" (the keyword is
inside that word, not at its start). Keep keywords to word stems: a very short
one ("tag") also catches every word it begins ("tagihan", "tagline"). A
keyword of several words matches them in that order, with any spacing.

A rule with no condition catches everything, so the last rule is the fallback.
A rule whose department is no longer active is passed over. When no rule holds
the complaint has no department: it is "unrouted" and shown to supervisors.

The response targets (working minutes to acknowledge and to resolve, per
severity) come from the winning rule's ResponseTarget rows; a severity the rule
sets no target for takes the default (the ResponseTarget with no rule).

RuleSet.load() reads the rules and every target in two queries; the decision is
made in memory, so the console's preview, the services and the admin's tester
share one code path and a bulk import costs the same two queries.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from directory.text import fold, split_terms
from messages_app.models import ResponseTarget, RoutingRule, Severity


@dataclass(frozen=True)
class Target:
    """Working minutes a complaint of one severity has to be acknowledged and resolved."""

    acknowledge_minutes: int
    resolve_minutes: int


@dataclass(frozen=True)
class Keyword:
    text: str  # as the admin wrote it
    pattern: re.Pattern

    @classmethod
    def compile(cls, text: str) -> "Keyword | None":
        folded = fold(text)
        if not folded:
            return None
        words = [re.escape(word) for word in folded.split(" ")]
        # At the start of a word (nothing word-like before it); open at the end,
        # so the keyword is a prefix of the word it meets.
        return cls(text=text.strip(), pattern=re.compile(r"(?<!\w)" + r"\s+".join(words)))


def compile_keywords(keywords: str) -> list[Keyword]:
    compiled = (Keyword.compile(term) for term in split_terms(keywords))
    return [keyword for keyword in compiled if keyword is not None]


@dataclass(frozen=True)
class Check:
    """One condition of one rule against one complaint, for the tester."""

    condition: str  # "category", "product", "keywords", "department"
    holds: bool
    text: str  # why, in the reader's language


@dataclass(frozen=True)
class RuleTrial:
    """How one rule fared: whether it holds, and each condition's check."""

    rule: RoutingRule
    holds: bool
    checks: list[Check]
    matched_keyword: str = ""


@dataclass(frozen=True)
class RouteDecision:
    """Where a complaint goes: the rule that caught it (None: no rule held),
    its department (None: unrouted) and the targets per severity."""

    rule: RoutingRule | None
    department: object | None  # directory.models.Department
    targets: dict[str, Target] = field(default_factory=dict)
    matched_keyword: str = ""

    @property
    def routed(self) -> bool:
        return self.department is not None

    def target(self, severity: str) -> Target | None:
        return self.targets.get(str(severity))

    def acknowledge_minutes(self, severity: str) -> int | None:
        target = self.target(severity)
        return target.acknowledge_minutes if target else None

    def resolve_minutes(self, severity: str) -> int | None:
        target = self.target(severity)
        return target.resolve_minutes if target else None

    def summary(self) -> str:
        """What the operator sees before saving: "→ Keuangan (rule: Tagihan)"."""
        if self.department is None:
            return _("→ no department: unrouted (a supervisor will route it)")
        return _("→ %(department)s (rule: %(rule)s)") % {
            "department": self.department.name,
            "rule": self.rule.name if self.rule else "—",
        }


def _merge(own: dict[str, Target], defaults: dict[str, Target]) -> dict[str, Target]:
    """Per severity: the rule's own target, else the default (none if neither)."""
    merged = {}
    for severity in Severity.values:
        target = own.get(severity) or defaults.get(severity)
        if target is not None:
            merged[severity] = target
    return merged


def _pk(value) -> int | None:
    if value is None or value == "":
        return None
    return getattr(value, "pk", value)


@dataclass
class RuleSet:
    """The active rules in position order with their keywords compiled, and
    every response target (per rule, and the defaults)."""

    rules: list[tuple[RoutingRule, list[Keyword]]]
    rule_targets: dict[int, dict[str, Target]]
    defaults: dict[str, Target]

    @classmethod
    def load(cls) -> "RuleSet":
        rules = list(
            RoutingRule.objects.filter(active=True)
            .select_related("category", "product", "department")
            .order_by("position", "id")
        )
        return cls.build(rules, ResponseTarget.objects.all())

    @classmethod
    def build(cls, rules: Iterable[RoutingRule], targets: Iterable[ResponseTarget]) -> "RuleSet":
        rule_targets: dict[int, dict[str, Target]] = {}
        defaults: dict[str, Target] = {}
        for row in targets:
            target = Target(row.acknowledge_minutes, row.resolve_minutes)
            if row.rule_id is None:
                defaults[row.severity] = target
            else:
                rule_targets.setdefault(row.rule_id, {})[row.severity] = target
        compiled = [(rule, compile_keywords(rule.keywords)) for rule in rules]
        return cls(rules=compiled, rule_targets=rule_targets, defaults=defaults)

    def targets_for(self, rule: RoutingRule | None) -> dict[str, Target]:
        """The rule's targets, each severity it leaves out from the defaults."""
        own = self.rule_targets.get(rule.pk, {}) if rule is not None else {}
        return _merge(own, self.defaults)

    def trial(self, rule, keywords, *, category_id, product_id, folded_text) -> RuleTrial:
        checks: list[Check] = []
        matched = ""
        if rule.category_id is not None:
            holds = rule.category_id == category_id
            checks.append(
                Check(
                    "category",
                    holds,
                    (_("category is %(name)s") if holds else _("category is not %(name)s"))
                    % {"name": rule.category.name},
                )
            )
        if rule.product_id is not None:
            holds = rule.product_id == product_id
            checks.append(
                Check(
                    "product",
                    holds,
                    (_("product is %(name)s") if holds else _("product is not %(name)s"))
                    % {"name": rule.product.name},
                )
            )
        if keywords:
            for keyword in keywords:
                if keyword.pattern.search(folded_text):
                    matched = keyword.text
                    break
            if matched:
                text = _("the text has the keyword “%(keyword)s”") % {"keyword": matched}
            else:
                text = _("the text has none of the keywords %(keywords)s") % {
                    "keywords": ", ".join(f"“{k.text}”" for k in keywords)
                }
            checks.append(Check("keywords", bool(matched), text))
        if not checks:
            checks.append(Check("all", True, _("no condition: catches every complaint")))
        if not rule.department.active:
            checks.append(
                Check(
                    "department",
                    False,
                    _("its department %(name)s is no longer active") % {"name": rule.department},
                )
            )
        return RuleTrial(
            rule=rule,
            holds=all(check.holds for check in checks),
            checks=checks,
            matched_keyword=matched,
        )

    def explain(self, *, category=None, product=None, description="") -> list[RuleTrial]:
        """Every active rule in order and how it fared, up to and including the
        one that wins (the rules after it are never reached)."""
        category_id, product_id = _pk(category), _pk(product)
        folded = fold(description or "")
        trials = []
        for rule, keywords in self.rules:
            trial = self.trial(
                rule, keywords, category_id=category_id, product_id=product_id, folded_text=folded
            )
            trials.append(trial)
            if trial.holds:
                break
        return trials

    def decide(self, *, category=None, product=None, description="") -> RouteDecision:
        trials = self.explain(category=category, product=product, description=description)
        winner = trials[-1] if trials and trials[-1].holds else None
        if winner is None:
            return RouteDecision(rule=None, department=None, targets=self.targets_for(None))
        return RouteDecision(
            rule=winner.rule,
            department=winner.rule.department,
            targets=self.targets_for(winner.rule),
            matched_keyword=winner.matched_keyword,
        )


def route(*, category=None, product=None, description="", rules: RuleSet | None = None):
    """The routing decision for a complaint (see the module's docstring): two
    queries, unless a RuleSet already loaded is handed in."""
    rules = rules if rules is not None else RuleSet.load()
    return rules.decide(category=category, product=product, description=description)


def targets_for_rule(rule_id: int | None) -> dict[str, Target]:
    """The targets a complaint routed by `rule_id` (None: by no rule) works
    to, in one query: for a reopened or re-routed complaint."""
    rows = ResponseTarget.objects.filter(rule__isnull=True)
    if rule_id is not None:
        rows = ResponseTarget.objects.filter(rule_id=rule_id) | rows
    own: dict[str, Target] = {}
    defaults: dict[str, Target] = {}
    for row in rows:
        target = Target(row.acknowledge_minutes, row.resolve_minutes)
        (defaults if row.rule_id is None else own)[row.severity] = target
    return _merge(own, defaults)
