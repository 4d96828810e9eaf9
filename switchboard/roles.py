"""Roles are Django groups with permissions, created idempotently after every migrate.

The map below is the single place that says what each role may do. Later apps add
their permissions here; `ensure_roles()` makes the groups match it exactly.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS

OPERATOR = "Operator"
SUPERVISOR = "Supervisor"
DIRECTORY_ADMIN = "Directory admin"

_DIRECTORY_VIEW = [
    "directory.view_department",
    "directory.view_staff",
    "directory.view_extension",
    "directory.view_infoentry",
]
_DIRECTORY_EDIT = [
    f"directory.{action}_{model}"
    for model in ("department", "staff", "extension", "infoentry")
    for action in ("add", "change", "delete")
]

_CALLS_VIEW = [
    "calls.view_call",
    "calls.view_caller",
    "calls.view_callcategory",
    # Open phone-line incidents show at the console.
    "calls.view_phonelineincident",
]

# The desk's hand-offs. Operators take messages and complaints for anyone and
# act on any slip for its recipient ("got it", said on the phone); who works on
# a complaint is its department (staff members, by their Staff record) or a
# supervisor. Staff members need no role for their own messages.
_MESSAGES_VIEW = [
    "messages_app.view_messageslip",
    "messages_app.view_complaint",
    "messages_app.view_complaintcategory",
    "messages_app.view_product",
]
_MESSAGES_DESK = [
    *_MESSAGES_VIEW,
    "messages_app.add_messageslip",
    "messages_app.change_messageslip",
    "messages_app.act_on_any_slip",
    "messages_app.add_complaint",
]
_MESSAGES_SETUP = [
    f"messages_app.{action}_{model}"
    for model in ("routingrule", "responsetarget", "urgencylimit", "complaintcategory", "product")
    for action in ("view", "add", "change", "delete")
] + [
    f"directory.{action}_{model}"
    for model in ("holiday", "workingperiod")
    for action in ("view", "add", "change", "delete")
]

# Supervision (reports). Operators clock in and out, ask for swaps and see their
# own schedule, reviews and KPIs (their own only: reports.access decides);
# supervisors roster, correct attendance, approve swaps and review calls.
_REPORTS_OPERATOR = [
    "reports.view_shifttype",
    "reports.add_clocksession",
    "reports.add_shiftswap",
    # The shift handover: an operator hands over, the next one acknowledges.
    "reports.add_shifthandover",
    "reports.view_shifthandover",
]
_REPORTS_SUPERVISE = [
    *_REPORTS_OPERATOR,
    *(
        f"reports.{action}_{model}"
        for model in ("rosterentry", "attendanceday", "shiftswap", "review", "calibrationround")
        for action in ("view", "add", "change")
    ),
    "reports.delete_rosterentry",
    "reports.view_clocksession",
    "reports.view_scorecard",
    "reports.view_reviewsample",
    "reports.add_reviewsample",
    # Every operator's KPIs, and the sheets' sign-off (reports.access_kpi).
    "reports.view_kpis",
    "reports.sign_off_kpis",
    # The KPI targets and rule (Django admin, for a supervisor with staff status).
    "reports.view_kpisettings",
    "reports.change_kpisettings",
    # The daily recaps (review, comment, sign off, rebuild) and the dashboard.
    "reports.view_dailyrecap",
    "reports.change_dailyrecap",
    # Phone-line incidents: supervisors log and close them.
    "calls.add_phonelineincident",
    "calls.change_phonelineincident",
]
_REPORTS_SETUP = [
    f"reports.{action}_{model}"
    for model in ("shifttype", "scorecard", "scorecardsection", "scorecarditem")
    for action in ("view", "add", "change", "delete")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    OPERATOR: [
        *_DIRECTORY_VIEW,
        "directory.change_presence",
        *_CALLS_VIEW,
        "calls.add_call",
        *_MESSAGES_DESK,
        *_REPORTS_OPERATOR,
    ],
    SUPERVISOR: [
        *_DIRECTORY_VIEW,
        "directory.change_presence",
        *_CALLS_VIEW,
        "calls.change_call",
        "calls.delete_call",
        "calls.correct_any_call",
        # Callers' numbers are personal data: only supervisors export the log.
        "calls.export_call",
        *_MESSAGES_DESK,
        "messages_app.change_complaint",
        "messages_app.act_on_any_complaint",
        "messages_app.export_complaint",
        *_REPORTS_SUPERVISE,
        *_REPORTS_SETUP,
    ],
    DIRECTORY_ADMIN: [
        *_DIRECTORY_VIEW,
        *_DIRECTORY_EDIT,
        "directory.change_presence",
        "directory.import_directory",
        "calls.view_callcategory",
        "calls.add_callcategory",
        "calls.change_callcategory",
        "calls.delete_callcategory",
        *_MESSAGES_SETUP,
        *_REPORTS_SETUP,
    ],
}
ROLES = tuple(ROLE_PERMISSIONS)


def ensure_roles(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps) -> dict[str, int]:
    """Create or update the role groups so their permissions match ROLE_PERMISSIONS.

    Safe to run any number of times. Returns {group name: permission count}.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    counts = {}
    for name, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = set()
        for perm_name in perm_names:
            app_label, codename = perm_name.split(".")
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is None:
                raise LookupError(f"Role {name!r} names unknown permission {perm_name!r}.")
            wanted.add(perm.pk)
        group.permissions.set(wanted)
        counts[name] = len(wanted)
    return counts


def ensure_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    # post_migrate fires once per app that has models; act once, after the last.
    configs = [c for c in global_apps.get_app_configs() if c.models_module is not None]
    if sender.label != configs[-1].label:
        return
    try:
        apps.get_model("directory", "Staff")
    except LookupError:  # migrating backwards past the directory app
        return
    ensure_roles(using=using, apps=apps)
