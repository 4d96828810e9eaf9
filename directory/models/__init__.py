"""The company as the front desk needs to know it: who works where, on which
extension, whether they are in, and what the desk may say about the company."""

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import NotSupportedError, connections, models, transaction
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


# Search columns ---------------------------------------------------------------
#
# The search reads folded copies of names and keywords (search_name, search_text,
# ...), computed in Python (directory.text.search_key: accents and case folded the
# same way on SQLite and PostgreSQL), so no database expression can compute them.
# Instead every way Django writes rows keeps them right: save() (also with
# update_fields), and the QuerySet's update(), bulk_create() and bulk_update(),
# which everything else is built on (create, get_or_create, update_or_create,
# the async variants, related managers, simple_history's *_with_history helpers).
# Raw SQL writes call with_search_columns() (directory.importing.bulk does).
# tests/directory/test_search_columns.py walks every path and fails on a new one.

# Set while bulk_update runs: its update() calls carry search columns it has
# computed already, so update() need not compute them again.
_IN_BULK_UPDATE: ContextVar[bool] = ContextVar("directory_in_bulk_update", default=False)
REFRESH_BATCH = 500


class SearchColumnsModel(models.Model):
    """A model with search columns: SEARCH_SOURCES are the fields they are
    computed from, SEARCH_COLUMNS the columns refresh_search_fields() sets."""

    SEARCH_SOURCES: frozenset[str] = frozenset()
    SEARCH_COLUMNS: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.refresh_search_fields()
        elif _touches_search(type(self), update_fields):
            self.refresh_search_fields()
            kwargs["update_fields"] = {*update_fields, *self.SEARCH_COLUMNS}
        super().save(*args, **kwargs)

    def refresh_search_fields(self):
        raise NotImplementedError


def _field_names(model, fields) -> set[str]:
    return {model._meta.get_field(name).name for name in fields}


def _touches_search(model, fields) -> bool:
    names = _field_names(model, fields)
    return bool(names & (model.SEARCH_SOURCES | model.SEARCH_COLUMNS))


def with_search_columns(model, objs, fields) -> list[str]:
    """For a bulk write of `fields` of `objs`: refresh the objects' search
    columns and return the fields to write, with the search columns added when
    any field they come from is written. Models without search columns (and
    writes that touch no source field) get `fields` back unchanged."""
    fields = list(fields)
    if not issubclass(model, SearchColumnsModel) or not _touches_search(model, fields):
        return fields
    for obj in objs:
        obj.refresh_search_fields()
    names = _field_names(model, fields)
    return fields + sorted(model.SEARCH_COLUMNS - names)


class SearchColumnsQuerySet(models.QuerySet):
    """Bulk writes that keep the search columns right (see above)."""

    def update(self, **kwargs):
        if _IN_BULK_UPDATE.get() or not _touches_search(self.model, kwargs):
            return super().update(**kwargs)
        # The rows to refresh are picked before the update: it may change the
        # very fields this queryset filters on.
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(self.values_list("pk", flat=True))
            updated = super().update(**kwargs)
            self.model._default_manager.using(self.db).refresh_search_columns(pks)
        return updated

    def refresh_search_columns(self, pks) -> None:
        """Compute the search columns of the rows `pks` again from the database."""
        model = self.model
        sources = ["pk", *sorted(model.SEARCH_SOURCES)]
        columns = sorted(model.SEARCH_COLUMNS)
        pks = list(pks)
        for start in range(0, len(pks), REFRESH_BATCH):
            rows = list(self.filter(pk__in=pks[start : start + REFRESH_BATCH]).only(*sources))
            for row in rows:
                row.refresh_search_fields()
            self._bulk_update(rows, columns)

    def bulk_create(
        self,
        objs,
        batch_size=None,
        ignore_conflicts=False,
        update_conflicts=False,
        update_fields=None,
        unique_fields=None,
    ):
        objs = list(objs)
        for obj in objs:
            obj.refresh_search_fields()
        upsert = bool(update_conflicts and update_fields)
        if upsert and _touches_search(self.model, update_fields):
            # A row that already exists keeps its other fields, so its search
            # columns are computed again from the database once it is written.
            if not connections[self.db].features.can_return_rows_from_bulk_insert:
                raise NotSupportedError(
                    "bulk_create(update_conflicts=True) of a field the search columns "
                    "come from needs a database that returns the rows' ids."
                )
            update_fields = with_search_columns(self.model, [], update_fields)
        kwargs = {
            "batch_size": batch_size,
            "ignore_conflicts": ignore_conflicts,
            "update_conflicts": update_conflicts,
            "update_fields": update_fields,
            "unique_fields": unique_fields,
        }
        if not (upsert and _touches_search(self.model, update_fields)):
            return super().bulk_create(objs, **kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            written = super().bulk_create(objs, **kwargs)
            self.refresh_search_columns([obj.pk for obj in written])
        return written

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        return self._bulk_update(objs, with_search_columns(self.model, objs, fields), batch_size)

    def _bulk_update(self, objs, fields, batch_size=None):
        token = _IN_BULK_UPDATE.set(True)
        try:
            return super().bulk_update(objs, fields, batch_size=batch_size)
        finally:
            _IN_BULK_UPDATE.reset(token)


class DepartmentQuerySet(SearchColumnsQuerySet):
    def active(self):
        return self.filter(active=True)


class Department(SearchColumnsModel):
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

    SEARCH_SOURCES = frozenset({"name", "code"})
    SEARCH_COLUMNS = frozenset({"search_text"})

    history = HistoricalRecords()
    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        # Also for Django's own internal writes (related objects, ...).
        base_manager_name = "objects"

    def __str__(self):
        return f"{self.name} ({self.code})"

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


class StaffQuerySet(SearchColumnsQuerySet):
    def active(self):
        return self.filter(active=True)

    def for_cards(self):
        """What a result card or board row shows, in one query."""
        return self.select_related("department", "cover")


class Staff(SearchColumnsModel):
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

    SEARCH_SOURCES = frozenset({"full_name", "aliases", "job_title", "topics"})
    SEARCH_COLUMNS = frozenset({"search_name", "search_text"})

    history = HistoricalRecords(excluded_fields=["search_name", "search_text"])
    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["full_name"]
        base_manager_name = "objects"
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


class InfoEntryQuerySet(SearchColumnsQuerySet):
    pass


class InfoEntry(SearchColumnsModel):
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

    SEARCH_SOURCES = frozenset({"title", "keywords"})
    SEARCH_COLUMNS = frozenset({"search_title", "search_text"})

    history = HistoricalRecords(excluded_fields=["search_title", "search_text"])
    objects = InfoEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("info entry")
        verbose_name_plural = _("info entries")
        ordering = ["title"]
        base_manager_name = "objects"

    def __str__(self):
        return self.title

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
    # Extensions the file moves from one person or department to another
    # ({row, number, from, to, column}): the admin accepts them before confirming.
    moves = models.JSONField(_("extension moves"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    create_count = models.PositiveIntegerField(_("to create"), default=0)
    update_count = models.PositiveIntegerField(_("to update"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    move_count = models.PositiveIntegerField(_("extension moves"), default=0)
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
    # When the apply task was last handed to the broker; empty while it never
    # was (the broker was down at the confirm). The re-send sweep reads it.
    sent_at = models.DateTimeField(_("sent to the worker"), null=True, blank=True)
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


# The business calendar lives in a module of its own (directory/models/calendar.py).
from directory.models.calendar import (  # noqa: E402, F401
    Holiday,
    HolidayKind,
    Weekday,
    WorkingPeriod,
)
