"""Everything the desk hands on to someone else: a message for a person who was
out, a complaint for the division responsible, and the notifications that carry
both to their people, with proof of who got what and when."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from calls.models import Call, Caller
from directory.models import Department, Staff

TEXT_MAX = 4000


# Message slips ----------------------------------------------------------------


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Mood(models.TextChoices):
    CALM = "calm", _("Calm")
    HURRIED = "hurried", _("In a hurry")
    UPSET = "upset", _("Upset")
    CONFUSED = "confused", _("Confused")


class SlipStatus(models.TextChoices):
    NEW = "new", _("New")
    DELIVERED = "delivered", _("Delivered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DONE = "done", _("Done")


# The only steps a slip may take (messages_app.services checks every change
# against this map). A slip may be acknowledged before any delivery is
# confirmed (the recipient rang back), and closed at any time by the desk.
SLIP_TRANSITIONS: dict[str, set[str]] = {
    SlipStatus.NEW: {SlipStatus.DELIVERED, SlipStatus.ACKNOWLEDGED, SlipStatus.DONE},
    SlipStatus.DELIVERED: {SlipStatus.ACKNOWLEDGED, SlipStatus.DONE},
    SlipStatus.ACKNOWLEDGED: {SlipStatus.DONE},
    SlipStatus.DONE: set(),
}
OPEN_SLIP_STATUSES = (SlipStatus.NEW, SlipStatus.DELIVERED, SlipStatus.ACKNOWLEDGED)
UNACKNOWLEDGED_SLIP_STATUSES = (SlipStatus.NEW, SlipStatus.DELIVERED)


class UrgencyLimit(models.Model):
    """How long a slip of one urgency may wait for its acknowledgement before
    it is escalated, kept by admins. Either a number of minutes (of business
    time, or on the clock for the most urgent), or "by the end of the next
    working day"."""

    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, unique=True)
    minutes = models.PositiveIntegerField(_("minutes"), null=True, blank=True)
    business_time = models.BooleanField(
        _("count working hours only"),
        default=True,
        help_text=_("Untick to count on the clock, nights and holidays included."),
    )
    next_working_day = models.BooleanField(_("by the end of the next working day"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("urgency limit")
        verbose_name_plural = _("urgency limits")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_working_day=True) | Q(minutes__isnull=False),
                name="urgencylimit_has_a_limit",
                violation_error_message=_("Give the minutes, or tick the next working day."),
            ),
        ]

    def __str__(self):
        return self.get_urgency_display()


class SlipQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_SLIP_STATUSES)


class MessageSlip(models.Model):
    """A message the desk took for someone who could not take the call (out, in
    a meeting, on leave), or for a department, or from a walk-in visitor. It is
    delivered to its recipients (e-mail, their "My messages" page, a webhook),
    acknowledged by one of them, and done when they have called back or dealt
    with it. Unacknowledged past its urgency's limit, it is escalated."""

    call = models.OneToOneField(
        Call,
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slip",
    )
    # Whom the message is for: a person (the one asked for), or a department.
    for_staff = models.ForeignKey(
        Staff,
        verbose_name=_("for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slips",
    )
    for_department = models.ForeignKey(
        Department,
        verbose_name=_("for department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slips",
    )
    # Who is told: the person, their cover while they are away, or both
    # (SlipRecipient rows); a department's slip goes to its group mailbox/head.
    recipients = models.ManyToManyField(
        Staff,
        verbose_name=_("recipients"),
        through="SlipRecipient",
        related_name="received_slips",
        blank=True,
    )
    caller = models.ForeignKey(
        Caller,
        verbose_name=_("caller"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slips",
    )
    caller_name = models.CharField(_("caller name"), max_length=150, blank=True)
    caller_company = models.CharField(_("company"), max_length=150, blank=True)
    caller_number = PhoneNumberField(_("caller's number"), blank=True)
    callback_number = PhoneNumberField(_("call-back number"), blank=True)
    callback_time = models.CharField(_("best time to call back"), max_length=100, blank=True)
    message = models.TextField(_("message"), max_length=TEXT_MAX)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    mood = models.CharField(
        _("caller's mood"), max_length=10, choices=Mood.choices, default=Mood.CALM
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="slips_taken",
    )
    created_at = models.DateTimeField(_("taken"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=15, choices=SlipStatus.choices, default=SlipStatus.NEW
    )
    # When it must be acknowledged by (UrgencyLimit on the business calendar).
    due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_note = models.CharField(_("acknowledgement note"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_note = models.CharField(_("how it was dealt with"), max_length=300, blank=True)
    # 0: not escalated; each escalation step (re-sent, to the cover or head, to
    # supervisors) counts up, and the next one is due at next_escalation_at.
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation"), null=True, blank=True)
    # Counts every change: a change made on a stale copy is refused (services).
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = SlipQuerySet.as_manager()

    class Meta:
        verbose_name = _("message slip")
        verbose_name_plural = _("message slips")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="slip_status_due"),
            # The slip list, newest first, and the recap's links by day taken.
            models.Index(fields=["-created_at", "-id"], name="slip_created"),
            models.Index(fields=["for_staff", "-created_at"], name="slip_staff_created"),
            models.Index(fields=["for_department", "-created_at"], name="slip_dept_created"),
            models.Index(fields=["caller", "-created_at"], name="slip_caller_created"),
            models.Index(fields=["next_escalation_at"], name="slip_next_escalation"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(for_staff__isnull=False) | Q(for_department__isnull=False),
                name="slip_has_an_addressee",
                violation_error_message=_("Say whom the message is for."),
            ),
        ]
        permissions = [
            ("act_on_any_slip", _("Can acknowledge, close and re-route anyone's messages")),
        ]

    def __str__(self):
        whom = self.for_staff or self.for_department
        return f"{whom}: {self.message[:60]}"

    def get_absolute_url(self):
        return reverse("messages_app:slip-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SLIP_STATUSES


class RecipientRole(models.TextChoices):
    ADDRESSEE = "addressee", _("The person asked for")
    COVER = "cover", _("Their cover")
    HEAD = "head", _("Department head")
    ESCALATION = "escalation", _("Escalation")


class SlipRecipient(models.Model):
    """One person a slip goes to, and why (the person asked for, their cover,
    the head of their department after an escalation)."""

    slip = models.ForeignKey(MessageSlip, on_delete=models.CASCADE, related_name="slip_recipients")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="slip_copies")
    role = models.CharField(
        _("as"), max_length=12, choices=RecipientRole.choices, default=RecipientRole.ADDRESSEE
    )
    added_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(fields=["slip", "staff"], name="sliprecipient_once"),
        ]
        indexes = [models.Index(fields=["staff", "read_at"], name="sliprecipient_unread")]

    def __str__(self):
        return f"{self.staff} ({self.get_role_display()})"


class SlipEvent(models.Model):
    """A line of a slip's timeline: each status change, re-send, re-route and
    escalation decision, with who (None for the system) and when."""

    slip = models.ForeignKey(MessageSlip, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=30)  # a code, shown translated (services.SLIP_EVENTS)
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["slip", "at"], name="slipevent_slip_at")]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


# Complaints -------------------------------------------------------------------


class ComplaintCategory(models.Model):
    """What a complaint is about ("billing", "service", "delivery"), kept by admins."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Product(models.Model):
    """A product or service the company sells, which complaints may name."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ComplaintStatus(models.TextChoices):
    NEW = "new", _("New")
    ROUTED = "routed", _("Routed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


# The only steps a complaint may take (messages_app.services checks each one).
# "routed" again is a re-route: an open complaint passed to another department
# goes back to "routed" there, even after its first department acknowledged it.
COMPLAINT_TRANSITIONS: dict[str, set[str]] = {
    ComplaintStatus.NEW: {ComplaintStatus.ROUTED},
    ComplaintStatus.ROUTED: {ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.ROUTED},
    ComplaintStatus.ACKNOWLEDGED: {
        ComplaintStatus.IN_PROGRESS,
        ComplaintStatus.RESOLVED,
        ComplaintStatus.ROUTED,
    },
    ComplaintStatus.IN_PROGRESS: {ComplaintStatus.RESOLVED, ComplaintStatus.ROUTED},
    ComplaintStatus.RESOLVED: {ComplaintStatus.CLOSED, ComplaintStatus.REOPENED},
    ComplaintStatus.CLOSED: {ComplaintStatus.REOPENED},
    ComplaintStatus.REOPENED: {
        ComplaintStatus.ACKNOWLEDGED,
        ComplaintStatus.IN_PROGRESS,
        ComplaintStatus.RESOLVED,
        ComplaintStatus.ROUTED,
    },
}
# Waiting to be acknowledged: the deadline to acknowledge still runs.
UNACKNOWLEDGED_COMPLAINT_STATUSES = (ComplaintStatus.NEW, ComplaintStatus.ROUTED)
OPEN_COMPLAINT_STATUSES = (
    ComplaintStatus.NEW,
    ComplaintStatus.ROUTED,
    ComplaintStatus.ACKNOWLEDGED,
    ComplaintStatus.IN_PROGRESS,
    ComplaintStatus.REOPENED,
)


class RoutingRule(models.Model):
    """Which department a complaint goes to, and how fast it must be handled.

    Rules are tried in `position` order; the first whose conditions all hold
    (category, product, any of the keywords in the description) wins. A rule
    with no condition catches everything, so the last one is the fallback."""

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=100)
    active = models.BooleanField(_("active"), default=True)
    category = models.ForeignKey(
        ComplaintCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated; the rule holds when the description has any of them."),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="rules"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class ResponseTarget(models.Model):
    """How many working minutes a complaint of one severity has to be
    acknowledged and to be resolved: for one rule, or (rule empty) the
    company's default for rules that set none."""

    rule = models.ForeignKey(
        RoutingRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    acknowledge_minutes = models.PositiveIntegerField(_("acknowledge within (working minutes)"))
    resolve_minutes = models.PositiveIntegerField(_("resolve within (working minutes)"))

    class Meta:
        verbose_name = _("response target")
        verbose_name_plural = _("response targets")
        ordering = ["rule", "severity"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "severity"],
                condition=Q(rule__isnull=False),
                name="responsetarget_once_per_rule",
            ),
            models.UniqueConstraint(
                fields=["severity"],
                condition=Q(rule__isnull=True),
                name="responsetarget_one_default",
            ),
        ]

    def __str__(self):
        return f"{self.rule or _('default')}: {self.get_severity_display()}"


class ReferenceCounter(models.Model):
    """The last complaint number used in a year. Taken under a row lock in the
    complaint's own transaction, so numbers are unique and without gaps even
    when two operators save at once (a rolled-back save gives its number back)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Complaint(models.Model):
    """A caller's complaint, with the reference the operator reads back
    (KEL-2026-000123), routed by rule to the department responsible, which
    acknowledges, works on and resolves it within the deadlines counted in
    working time. Every change and comment is on its timeline."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    call = models.OneToOneField(
        Call,
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint",
    )
    caller = models.ForeignKey(
        Caller,
        verbose_name=_("caller"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    customer_name = models.CharField(_("customer name"), max_length=150)
    customer_number = PhoneNumberField(_("customer's number"), blank=True)
    customer_email = models.EmailField(_("customer's e-mail"), blank=True)
    category = models.ForeignKey(
        ComplaintCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    description = models.TextField(_("description"), max_length=TEXT_MAX)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    rule = models.ForeignKey(
        RoutingRule,
        verbose_name=_("routing rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    route_override_reason = models.CharField(
        _("why not the rule's department"), max_length=300, blank=True
    )
    assigned_to = models.ForeignKey(
        Staff,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    status = models.CharField(
        _("status"), max_length=15, choices=ComplaintStatus.choices, default=ComplaintStatus.NEW
    )
    language = models.CharField(_("customer's language"), max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="complaints_recorded",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    # Folded reference, customer, number and description, for the keyword
    # search (a trigram index on PostgreSQL); written by the services.
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["search_text", "version"])

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="complaint_created"),
            models.Index(fields=["department", "status", "-created_at"], name="complaint_dept"),
            models.Index(fields=["status", "-created_at"], name="complaint_status"),
            models.Index(fields=["assigned_to", "-created_at"], name="complaint_assigned"),
            models.Index(fields=["category", "-created_at"], name="complaint_category"),
            models.Index(fields=["product", "-created_at"], name="complaint_product"),
            models.Index(fields=["caller", "-created_at"], name="complaint_caller"),
            models.Index(fields=["acknowledge_due_at"], name="complaint_ack_due"),
            models.Index(fields=["resolve_due_at"], name="complaint_resolve_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="complaint_number_per_year"),
            models.CheckConstraint(condition=Q(number__gt=0), name="complaint_number_positive"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("created_at")),
                name="complaint_resolved_after_created",
            ),
        ]
        permissions = [
            ("act_on_any_complaint", _("Can work on any department's complaints")),
            ("export_complaint", _("Can export complaints")),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("messages_app:complaint-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMPLAINT_STATUSES


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal note")
    CUSTOMER = "customer", _("Told the customer")


class ComplaintEvent(models.Model):
    """A line of a complaint's timeline: a status change, a routing or
    re-routing (with its reason), an assignment, an escalation, or a comment,
    internal or what was told to the customer."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=30)  # a code, shown translated (services)
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    text = models.TextField(blank=True, max_length=TEXT_MAX)
    data = models.JSONField(default=dict, blank=True)  # e.g. {"from": dept id, "to": dept id}

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="complaintevent_at")]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class SavedFilter(models.Model):
    """A complaint list filter a user keeps under a name, for themselves or
    shared with everyone who sees the list."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=2000)
    shared = models.BooleanField(_("shared"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedfilter_name_per_owner"),
        ]

    def __str__(self):
        return self.name


# Notifications ----------------------------------------------------------------


class Channel(models.TextChoices):
    """How a notification travels. The recipient's "My messages" page needs no
    notification: it lists their SlipRecipient rows (read or not) directly."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class NotificationKind(models.TextChoices):
    SLIP = "slip", _("New message")
    SLIP_REMINDER = "slip_reminder", _("Message reminder")
    SLIP_ESCALATED = "slip_escalated", _("Message escalated")
    COMPLAINT_ROUTED = "complaint_routed", _("Complaint for your department")
    COMPLAINT_ESCALATED = "complaint_escalated", _("Complaint escalated")
    COMPLAINT_RECEIVED = "complaint_received", _("Complaint received (to the customer)")
    COMPLAINT_UPDATE = "complaint_update", _("Complaint update (to the customer)")


class Notification(models.Model):
    """One message to one recipient through one channel: the outbox.

    The row is written in the same transaction as the slip or complaint it is
    about, and a task sends it after commit. The database, not the broker,
    records what is due: `sent_at` empty means not sent; a periodic sweep sends
    what is due again if the task was lost (broker or worker down). Sending
    claims the row first (a conditional update on `claimed_until`), so a retried
    or duplicated task, or two sweeps, never send it twice."""

    kind = models.CharField(max_length=25, choices=NotificationKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    slip = models.ForeignKey(
        MessageSlip, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    address = models.CharField(max_length=500, blank=True)  # e-mail address or webhook URL
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)  # gave up after the last attempt
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_pending",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
            ),
            models.Index(fields=["slip", "created_at"], name="notification_slip"),
            models.Index(fields=["complaint", "created_at"], name="notification_complaint"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(slip__isnull=False, complaint__isnull=True)
                | Q(slip__isnull=True, complaint__isnull=False),
                name="notification_about_one_thing",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.address or self.recipient} ({self.channel})"


class DeliveryAttempt(models.Model):
    """One try at sending a notification: when, whether it worked, what the
    other side said. Shown on the slip or complaint."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else 'failed'}"
