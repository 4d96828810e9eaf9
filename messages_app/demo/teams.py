"""Who works the demo's complaints (seed_demo_messages): for each department
that gets one, a lead (acknowledges, closes) and a worker (assigned; works on
it and resolves it), each acting with their own log-in."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from directory.models import Department, Presence, Staff
from messages_app.demo import stories


@dataclass
class Team:
    """A department's complaint handlers: the lead (acknowledges, closes) and
    the worker (assigned; works on and resolves), each with their log-in."""

    lead: Staff
    worker: Staff


class Teams:
    def __init__(self):
        self.teams: dict[int, Team | None] = {}
        self.log_ins = 0

    def of(self, department: Department | None) -> Team | None:
        if department is None:
            return None
        if department.pk not in self.teams:
            self.teams[department.pk] = self._team(department)
        return self.teams[department.pk]

    def _team(self, department: Department) -> Team | None:
        members = list(
            Staff.objects.filter(department=department, active=True)
            .select_related("user")
            .order_by("full_name", "pk")
        )
        if not members:
            return None
        titles = stories.WORKER_TITLES.get(department.code or "", ())
        workers = sorted(
            (m for m in members if m.job_title in titles),
            key=lambda m: titles.index(m.job_title),
        )
        head = next((m for m in members if m.pk == department.head_id), None)
        if head is not None and head.presence != Presence.LEAVE:
            lead = head
        else:  # the head is on leave: the first worker stands in
            lead = workers[0] if workers else members[0]
        worker = next((m for m in workers if m.pk != lead.pk), None)
        worker = worker or next((m for m in members if m.pk != lead.pk), lead)
        self._log_in(lead)
        self._log_in(worker)
        return Team(lead=lead, worker=worker)

    def _log_in(self, staff: Staff) -> None:
        """The person's log-in, made (without a password) when they have none."""
        if staff.user_id:
            return
        User = get_user_model()
        base = (staff.email.split("@")[0] if staff.email else "") or f"staff{staff.pk}"
        username, n = base, 2
        while User.objects.filter(username=username).exists():
            username, n = f"{base}{n}", n + 1
        first, _space, last = staff.full_name.rpartition(" ")
        user = User(username=username, first_name=first or last, last_name=last if first else "")
        user.email = staff.email
        user.set_unusable_password()
        user.save()
        staff.user = user
        staff.save(update_fields=["user"])
        self.log_ins += 1
