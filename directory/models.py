"""The company as the front desk needs to know it: who works where, on which
extension, whether they are in, and what the desk may say about the company."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from directory.text import search_key, split_terms

# The import files are checked against the same patterns (directory.importing.formats).
EXTENSION_NUMBER_RE = r"^\d{2,8}$"
DEPARTMENT_CODE_RE = r"^[A-Z0-9][A-Z0-9_-]*$"

extension_number_validator = RegexValidator(
    EXTENSION_NUMBER_RE, _("An extension is 2 to 8 digits.")
)


class DepartmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Department(models.Model):
    """A division or department. Divisions contain departments (the tree), each
    with a head, a group mailbox for messages, and a main line the desk can use
    when nobody in particular is asked for."""

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(DEPARTMENT_CODE_RE, _("Use A-Z, 0-9, - and _."))],
        help_text=_("Short unique code, e.g. FIN or HR-REC."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "Staff",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="heads",
    )
    email = models.EmailField(_("group e-mail"), blank=True)
    main_extension = models.ForeignKey(
        "Extension",
        verbose_name=_("main extension"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="main_for",
    )
    active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=300, editable=False, default="")

    history = HistoricalRecords()
    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        super().save(*args, **kwargs)

    def clean(self):
        self.code = (self.code or "").strip().upper()
        # A department may not sit under itself, directly or further down.
        node, seen = self.parent, set()
        while node is not None and self.pk is not None:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("A department cannot be inside itself.")})
            seen.add(node.pk)
            node = node.parent

    def refresh_search_fields(self):
        self.search_text = search_key(self.name, self.code)


class Presence(models.TextChoices):
    IN = "in", _("In office")
    OUT = "out", _("Out")
    MEETING = "meeting", _("In a meeting")
    LEAVE = "leave", _("On leave")
    REMOTE = "remote", _("Working remotely")


# Reachable at their own extension; anyone else's calls go to their cover.
AVAILABLE_PRESENCES = (Presence.IN, Presence.REMOTE)


class StaffQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_cards(self):
        """What a result card or board row shows, in one query."""
        return self.select_related("department", "cover")


class Staff(models.Model):
    """A person the desk puts calls through to. Operators find them by any part
    of their name, by an alias or by a topic they handle ("faktur pajak"), see
    whether they are in, and, when they are away, who covers for them."""

    full_name = models.CharField(_("full name"), max_length=150)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="staff",
    )
    mobile = PhoneNumberField(_("mobile"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("log-in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profile",
    )
    topics = models.TextField(
        _("topics"), blank=True, help_text=_("What this person handles, comma-separated.")
    )
    aliases = models.TextField(
        _("aliases"), blank=True, help_text=_("Nicknames and other spellings, comma-separated.")
    )
    operator_notes = models.TextField(
        _("notes for operators"), blank=True, help_text=_('E.g. "sales calls go to Budi".')
    )
    presence = models.CharField(
        _("presence"), max_length=10, choices=Presence.choices, default=Presence.IN
    )
    back_at = models.DateTimeField(_("back at"), null=True, blank=True)
    presence_note = models.CharField(_("presence note"), max_length=200, blank=True)
    presence_changed_at = models.DateTimeField(_("presence changed"), null=True, blank=True)
    cover = models.ForeignKey(
        "self",
        verbose_name=_("cover person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covering_for",
        help_text=_("Who takes this person's calls while they are away."),
    )
    active = models.BooleanField(_("active"), default=True)
    search_name = models.CharField(max_length=200, editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_name", "search_text"])
    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["full_name"]
        permissions = [
            ("change_presence", _("Can set anyone's presence")),
            ("import_directory", _("Can import and export the directory")),
        ]
        # The search also has raw-SQL indexes on this table: trigram indexes on
        # the search columns, PostgreSQL only (migration 0002_search_indexes), and
        # a byte-order index on (search_name, id) for name-prefix ranges on both
        # databases, COLLATE "C" on PostgreSQL (0004_search_prefix_indexes, which
        # replaced 0002's varchar_pattern_ops prefix index).
        indexes = [
            models.Index(fields=["department", "full_name"], name="staff_dept_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(cover=models.F("id")), name="staff_cover_not_self"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("directory:staff-detail", args=[self.pk])

    @property
    def is_available(self) -> bool:
        return self.presence in AVAILABLE_PRESENCES

    @property
    def topic_list(self) -> list[str]:
        return split_terms(self.topics)

    @property
    def alias_list(self) -> list[str]:
        return split_terms(self.aliases)

    def clean(self):
        if self.cover_id and self.pk and self.cover_id == self.pk:
            raise ValidationError({"cover": _("A person cannot cover for themselves.")})
        if self.presence == Presence.IN:
            self.back_at = None
        elif self.back_at and self.back_at < timezone.now() - timezone.timedelta(days=1):
            raise ValidationError({"back_at": _("The back-at time is in the past.")})

    def refresh_search_fields(self):
        self.search_name = search_key(self.full_name)[:200]
        self.search_text = search_key(
            self.full_name, self.aliases, self.job_title, self.topics
        ).replace(",", " ")


class ExtensionKind(models.TextChoices):
    DESK = "desk", _("Desk")
    DEPARTMENT = "department", _("Department line")
    FAX = "fax", _("Fax")
    MEETING_ROOM = "meeting_room", _("Meeting room")
    LOBBY = "lobby", _("Lobby")
    OTHER = "other", _("Other")


class Extension(models.Model):
    """An internal number on the PBX. A desk phone belongs to a person, a
    department line to a department; fax, meeting rooms and the lobby may belong
    to no one in particular."""

    number = models.CharField(
        _("number"), max_length=8, unique=True, validators=[extension_number_validator]
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ExtensionKind.choices, default=ExtensionKind.DESK
    )
    location = models.CharField(_("location / floor"), max_length=120, blank=True)
    label = models.CharField(
        _("label"), max_length=120, blank=True, help_text=_('E.g. "Ruang Rapat Melati".')
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="extensions",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="extensions",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=True) | Q(department__isnull=True),
                name="extension_one_owner",
                violation_error_message=_(
                    "Assign an extension to a person or a department, not both."
                ),
            ),
        ]

    def __str__(self):
        return self.number


class Disclosure(models.TextChoices):
    PUBLIC = "public", _("Public")
    ON_REQUEST = "on_request", _("On request only")
    INTERNAL = "internal", _("Internal — do not disclose")


class InfoEntry(models.Model):
    """An approved answer the desk may give a caller (opening hours, address,
    how to apply for a job), with how freely it may be given out."""

    title = models.CharField(_("title"), max_length=200)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    answer = models.TextField(_("approved answer"))
    disclosure = models.CharField(
        _("disclosure"), max_length=12, choices=Disclosure.choices, default=Disclosure.PUBLIC
    )
    owner = models.ForeignKey(
        Department,
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="info_entries",
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    search_title = models.CharField(max_length=250, editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_title", "search_text"])

    class Meta:
        verbose_name = _("info entry")
        verbose_name_plural = _("info entries")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        super().save(*args, **kwargs)

    def refresh_search_fields(self):
        self.search_title = search_key(self.title)[:250]
        self.search_text = search_key(self.title, self.keywords).replace(",", " ")


class ImportKind(models.TextChoices):
    DEPARTMENTS = "departments", _("Departments")
    STAFF = "staff", _("Staff")
    EXTENSIONS = "extensions", _("Extensions")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Waiting for confirmation")
    QUEUED = "queued", _("Being applied")
    APPLIED = "applied", _("Applied")
    CANCELLED = "cancelled", _("Cancelled")


class ImportBatch(models.Model):
    """A directory file an admin uploaded: parsed, checked row by row and shown as
    a preview, waiting for them to confirm or cancel. It lives in the database,
    not the session or local disk, because the confirm may reach another web
    container than the upload did."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    columns = models.JSONField(_("columns"), default=list, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    create_count = models.PositiveIntegerField(_("to create"), default=0)
    update_count = models.PositiveIntegerField(_("to update"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="importbatch_user_recent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.filename} ({self.get_status_display()})"

    @property
    def can_apply(self) -> bool:
        return self.status == ImportStatus.PREVIEWED and self.error_count == 0
