"""The rules the demo's complaints and slips need (seed_demo_messages):
complaint categories, products, routing rules with their response targets, the
default targets and the urgency limits, each written only when missing."""

from directory.models import Department
from messages_app.demo import stories
from messages_app.models import (
    ComplaintCategory,
    Product,
    ResponseTarget,
    RoutingRule,
    UrgencyLimit,
)


def ensure_catalogue() -> dict[str, int]:
    """The categories and products missing by name, the default response
    targets missing by severity, and the routing rules (each with its own
    targets) when there is no rule at all: the first rule that holds wins, so
    a demo rule slipped in among the admins' would change where complaints go.
    Once any rule exists, the rule set is the admins'. Returns how many of
    each were created."""
    created = {"categories": 0, "products": 0, "rules": 0}
    categories = {}
    for name, position in stories.CATEGORIES:
        categories[name], new = ComplaintCategory.objects.get_or_create(
            name=name, defaults={"position": position}
        )
        created["categories"] += new
    products = {}
    for name in stories.PRODUCTS:
        products[name], new = Product.objects.get_or_create(name=name)
        created["products"] += new
    for severity, (acknowledge, resolve) in stories.DEFAULT_TARGETS.items():
        ResponseTarget.objects.get_or_create(
            rule=None,
            severity=severity,
            defaults={"acknowledge_minutes": acknowledge, "resolve_minutes": resolve},
        )
    if RoutingRule.objects.exists():
        return created
    departments = {d.code: d for d in Department.objects.filter(code__isnull=False)}
    for spec in stories.RULES:
        department = departments.get(spec.department)
        if department is None or not department.active:
            continue
        rule = RoutingRule(
            name=spec.name,
            position=spec.position,
            category=categories.get(spec.category),
            product=products.get(spec.product),
            keywords=spec.keywords,
            department=department,
        )
        rule.full_clean()
        rule.save()
        ResponseTarget.objects.bulk_create(
            ResponseTarget(
                rule=rule, severity=severity, acknowledge_minutes=ack, resolve_minutes=resolve
            )
            for severity, (ack, resolve) in spec.targets.items()
        )
        created["rules"] += 1
    return created


def ensure_urgency_limits() -> int:
    """The urgency limits migration 0002 writes, for any urgency that has none
    (an admin's figures are kept); returns how many were written."""
    created = 0
    for urgency, (minutes, business_time, next_day) in stories.URGENCY_LIMITS.items():
        _limit, new = UrgencyLimit.objects.get_or_create(
            urgency=urgency,
            defaults={
                "minutes": minutes,
                "business_time": business_time,
                "next_working_day": next_day,
            },
        )
        created += new
    return created
