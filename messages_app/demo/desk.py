"""The demo desk replayed (seed_demo_messages): the demo calls' slips and
complaints and a few taken on their own, each taken and then lived through in
time order, every step through its service with its own time, with the
escalation sweeps run at the beats that had something to do in between."""

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db.models import Min
from django.utils import timezone

from calls.models import Call, Outcome
from directory.business_time import BusinessCalendar
from directory.management.commands import seed_demo as demo
from directory.models import Department, Staff
from messages_app import notifications
from messages_app.demo import stories
from messages_app.demo.teams import Team, Teams
from messages_app.models import (
    UNACKNOWLEDGED_COMPLAINT_STATUSES,
    UNACKNOWLEDGED_SLIP_STATUSES,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    MessageSlip,
    Notification,
    Product,
    SlipStatus,
    UrgencyLimit,
    Visibility,
)
from messages_app.services.complaints import (
    complaint_assign,
    complaint_comment,
    complaint_create,
    complaint_set_status,
)
from messages_app.services.escalation import (
    ACK_HEAD,
    ACK_SUPERVISORS,
    FINISHED,
    RESOLVE_HEAD,
    RESOLVE_SUPERVISORS,
    SLIP_COVER_OR_HEAD,
    SLIP_RESENT,
    complaint_escalation_sweep,
    slip_escalation_sweep,
    supervisors_due_at,
)
from messages_app.services.slip_links import slip_ack_token, slip_acknowledge_by_link
from messages_app.services.slips import SendTo, slip_acknowledge, slip_create, slip_done
from reports.models import ClockSession

SEED = 17081945
# How often the beat runs the sweeps (switchboard/settings.py CELERY_BEAT_SCHEDULE).
SLIP_BEAT = timedelta(minutes=1)
COMPLAINT_BEAT = timedelta(minutes=5)
# A notification leaves this long after what it tells of (the worker's task).
SEND_DELAY = timedelta(seconds=4)

# Complaints by age, oldest first: the positions that must hold each role, so
# that every stage shows (negative: from the newest), the first ones first: five
# complaints show them all (those on their own with a fixed role add "in
# progress" and an overdue one). The rest are drawn.
ROLE_PLACES = [
    (-1, "routed"),
    (0, "closed"),
    (-2, "acknowledged"),
    (1, "reopened"),
    (2, "resolved"),
    (-3, "in_progress"),
    (3, "routed"),  # old and never acknowledged: overdue, escalated
    (4, "in_progress_late"),  # old, worked on, not resolved: overdue
]


def roles_by_age(count: int, rng: random.Random) -> list[str]:
    roles: list[str | None] = [None] * count
    for place, role in ROLE_PLACES:
        index = place if place >= 0 else count + place
        if 0 <= index < count and roles[index] is None:
            roles[index] = role
    for index in range(count):
        if roles[index] is None:
            age = 1 - index / max(count - 1, 1)  # 1: the oldest
            roles[index] = rng.choices(
                ["closed", "resolved", "in_progress", "acknowledged"],
                [4 * age, 1 + age, 1 + age, 2 - age],
            )[0]
    return roles


@dataclass(frozen=True)
class PlannedComplaint:
    at: datetime
    key: str
    call: Call | None = None
    loose: stories.LooseComplaint | None = None


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    action: object = field(compare=False)


class DemoDesk:
    """The demo's slips and complaints, taken and lived through in time order."""

    def __init__(self, *, now, operator):
        self.now = now
        self.operator = operator
        # Who is at the desk when: the demo roster's clock sessions (one still
        # open counts until now); `operator` when nobody is clocked in.
        self.sessions = [
            (s.clock_in, s.clock_out or now, s.operator)
            for s in ClockSession.objects.filter(clock_in__lt=now)
            .select_related("operator")
            .order_by("clock_in")
        ]
        self.calendar = BusinessCalendar.load()
        self.teams = Teams()
        self.steps: list[Step] = []
        self.seq = 0
        self.slip_ids: list[int] = []
        self.complaint_ids: list[int] = []
        self.skipped = 0
        self.complaint_swept: datetime | None = None
        self.categories = {c.name: c for c in ComplaintCategory.objects.filter(active=True)}
        self.products = {p.name: p for p in Product.objects.filter(active=True)}
        self.limits = {
            row.urgency: (row.minutes, row.business_time, row.next_working_day)
            for row in UrgencyLimit.objects.all()
        }

    def on_duty(self, at: datetime):
        """The operator clocked in at `at` (the one who came in last), else `operator`."""
        found = self.operator
        for came, went, person in self.sessions:
            if came > at:
                break
            if went > at:
                found = person
        return found

    # Planning --------------------------------------------------------------

    def at(self, when: datetime, action) -> None:
        """Do `action(when)` at `when`, unless that is still to come."""
        if when < self.now:
            self.seq += 1
            heapq.heappush(self.steps, Step(when, self.seq, action))

    def plan(self) -> None:
        message_calls = (
            Call.objects.filter(outcome=Outcome.MESSAGE, slip__isnull=True, ended_at__lt=self.now)
            .select_related("caller", "operator", "asked_for_staff__cover", "asked_for_department")
            .order_by("started_at", "pk")
        )
        for call in message_calls:
            if call.asked_for_staff_id or call.asked_for_department_id:
                self.at(call.ended_at, partial(self.slip_from_call, call))
        taken = set(
            MessageSlip.objects.filter(
                call__isnull=True, message__in=[s.message for s in stories.LOOSE_SLIPS]
            ).values_list("message", flat=True)
        )
        for spec in stories.LOOSE_SLIPS:
            if spec.message not in taken:
                self.at(self.recent(spec.back, spec.at), partial(self.loose_slip, spec))
        self.plan_complaints()

    def plan_complaints(self) -> None:
        calls = (
            Call.objects.filter(
                outcome=Outcome.COMPLAINT, complaint__isnull=True, ended_at__lt=self.now
            )
            .select_related("caller", "operator")
            .order_by("started_at", "pk")
        )
        planned = [PlannedComplaint(c.ended_at, c.started_at.isoformat(), call=c) for c in calls]
        recorded = set(
            Complaint.objects.filter(
                call__isnull=True,
                description__in=[c.story.description for c in stories.LOOSE_COMPLAINTS],
            ).values_list("description", flat=True)
        )
        fixed = []
        for spec in stories.LOOSE_COMPLAINTS:
            if spec.story.description in recorded:
                continue
            item = PlannedComplaint(self.recent(spec.back, spec.at), spec.customer_name, loose=spec)
            (fixed if spec.role else planned).append(item)
        planned.sort(key=lambda item: (item.at, item.key))
        if planned:
            rng = random.Random(f"{SEED}-roles-{planned[0].at.isoformat()}")  # noqa: S311 - demo data
            for item, role in zip(planned, roles_by_age(len(planned), rng), strict=True):
                self.at(item.at, partial(self.complaint, item, role))
        for item in fixed:
            self.at(item.at, partial(self.complaint, item, item.loose.role))

    def recent(self, back: int, clock: time) -> datetime:
        """`clock` on the `back`-th working day before the latest working day
        on which `clock` has passed."""
        day = timezone.localdate(self.now)
        for _ in range(400):
            moment = timezone.make_aware(datetime.combine(day, clock))
            if self.calendar.is_working_day(day) and moment < self.now:
                if back == 0:
                    return moment
                back -= 1
            day -= timedelta(days=1)
        raise CommandError("The business calendar has no working day in the last year.")

    # Running ---------------------------------------------------------------

    def run(self) -> None:
        while self.steps:
            step = heapq.heappop(self.steps)
            self.sweep_until(step.at)
            step.action(step.at)
        self.sweep_until(self.now)

    def sweep_until(self, until: datetime) -> None:
        """Run the escalation sweeps at each beat that had something to do
        (the beat runs them every minute and every five minutes), up to `until`."""
        while True:
            slip_at, complaint_at = self.next_slip_escalation(), self.next_complaint_escalation()
            moments = [m for m in (slip_at, complaint_at) if m is not None and m <= until]
            if not moments:
                return
            moment = min(moments)
            if moment == complaint_at:
                complaint_escalation_sweep(now=moment)
                self.complaint_swept = moment
            stuck = moment == slip_at and not slip_escalation_sweep(now=moment)
            self.send(moment)
            if stuck:
                return  # a due slip the sweep did not take (cannot happen): never loop

    def next_slip_escalation(self) -> datetime | None:
        """The first beat at which an unacknowledged slip is due a step."""
        waiting = MessageSlip.objects.filter(status__in=UNACKNOWLEDGED_SLIP_STATUSES)
        first = waiting.filter(escalation_level=0).aggregate(at=Min("due_at"))["at"]
        later = waiting.filter(escalation_level__in=(SLIP_RESENT, SLIP_COVER_OR_HEAD)).aggregate(
            at=Min("next_escalation_at")
        )["at"]
        moments = [m for m in (first, later) if m is not None]
        return _ceil(min(moments), SLIP_BEAT) if moments else None

    def next_complaint_escalation(self) -> datetime | None:
        """The first beat at which an open complaint is due a step: a deadline
        missed (its head is told), or the supervisors' turn after it (see
        services.escalation). Never the beat already run, so it moves on."""
        moments = []
        unfinished = (
            Complaint.objects.exclude(status__in=FINISHED)
            .filter(escalation_level__lt=RESOLVE_SUPERVISORS)
            .exclude(acknowledge_due_at__isnull=True, resolve_due_at__isnull=True)
        )
        for complaint in unfinished:
            level = complaint.escalation_level
            if complaint.resolve_due_at is not None:
                due = complaint.resolve_due_at
                if level >= RESOLVE_HEAD:
                    due = supervisors_due_at(complaint, due, self.calendar)
                moments.append(due)
            waiting = complaint.status in UNACKNOWLEDGED_COMPLAINT_STATUSES
            if waiting and complaint.acknowledge_due_at is not None and level < ACK_SUPERVISORS:
                due = complaint.acknowledge_due_at
                if level >= ACK_HEAD:
                    due = supervisors_due_at(complaint, due, self.calendar)
                moments.append(due)
        if not moments:
            return None
        moment = _ceil(min(moments), COMPLAINT_BEAT)
        if self.complaint_swept is not None and moment <= self.complaint_swept:
            moment = self.complaint_swept + COMPLAINT_BEAT
        return moment

    def send(self, saved_at: datetime) -> None:
        """Send what the step at `saved_at` wrote, a few seconds later (the task)."""
        pending = Notification.objects.filter(
            created_at=saved_at, sent_at__isnull=True, failed_at__isnull=True
        ).values_list("pk", flat=True)
        for pk in list(pending):
            notifications.deliver(pk, now=saved_at + SEND_DELAY)

    def working_later(self, start: datetime, minutes: float, *, business: bool = True):
        if business:
            return self.calendar.add(start, minutes)
        return start + timedelta(minutes=minutes)

    # Slips -----------------------------------------------------------------

    def slip_from_call(self, call: Call, at: datetime) -> None:
        rng = random.Random(f"{SEED}-slip-{call.started_at.isoformat()}")  # noqa: S311 - demo data
        person = call.asked_for_staff
        urgency = _urgency(call.purpose, rng)
        send_to = SendTo.PERSON
        cover = person.cover if person is not None and person.cover_id else None
        if person is not None and not person.is_available and cover is not None and cover.active:
            send_to = rng.choices([SendTo.BOTH, SendTo.COVER, SendTo.PERSON], [5, 3, 2])[0]
        try:
            slip = slip_create(
                taken_by=call.operator,
                message=call.purpose,
                for_staff=person,
                for_department=None if person else call.asked_for_department,
                send_to=send_to,
                caller=call.caller,
                caller_name=call.caller_name,
                caller_company=call.caller_company,
                caller_number=call.caller.number if call.caller_id else "",
                callback_number=demo.make_mobile(rng) if rng.random() < 0.2 else "",
                callback_time=rng.choice(stories.CALLBACK_TIMES),
                urgency=urgency,
                mood=rng.choices(["calm", "hurried", "upset", "confused"], [55, 20, 15, 10])[0],
                call=call,
                now=at,
            )
        except ValidationError:
            self.skipped += 1  # the person left since, say: the call stays as it is
            return
        self.slip_ids.append(slip.pk)
        self.send(at)
        self.plan_slip(slip, rng)

    def slip_limit(self, slip: MessageSlip) -> tuple[float, bool]:
        """The slip's time to acknowledge: (minutes, counted in working time)."""
        _minutes, business, _next_day = self.limits.get(
            slip.urgency, stories.URGENCY_LIMITS[slip.urgency]
        )
        if not business:
            return (slip.due_at - slip.created_at).total_seconds() / 60, False
        return self.calendar.minutes_between(slip.created_at, slip.due_at), True

    def plan_slip(self, slip: MessageSlip, rng: random.Random) -> None:
        """When, how and by whom it is acknowledged (or not at all) and done."""
        fate = rng.choices(["on_time", "late", "never"], [73, 15, 12])[0]
        if fate == "never":
            return
        limit, business = self.slip_limit(slip)
        factor = rng.uniform(0.1, 0.8) if fate == "on_time" else rng.uniform(1.3, 3.0)
        acked_at = self.working_later(slip.created_at, max(limit, 1) * factor, business=business)
        person = slip.for_staff
        if person is not None and person.user_id:
            self.at(acked_at, partial(self.acknowledge_in_app, slip.pk, person, ""))
        elif rng.random() < 0.65:
            self.at(acked_at, partial(self.acknowledge_by_link, slip.pk))
        else:
            note = rng.choice(stories.PHONE_ACK_NOTES)
            self.at(acked_at, partial(self.acknowledge_by_phone, slip.pk, note))
        if rng.random() < (0.9 if fate == "on_time" else 0.7):
            done_at = self.working_later(acked_at, rng.uniform(20, 480))
            by = person if person is not None and person.user_id else None
            self.at(done_at, partial(self.done, slip.pk, by, rng.choice(stories.DONE_NOTES)))

    def loose_slip(self, spec: stories.LooseSlip, at: datetime) -> None:
        department = None
        person = Staff.objects.filter(full_name=spec.whom, active=True).first()
        if person is None:
            department = Department.objects.filter(code=spec.whom, active=True).first()
            if department is None:
                self.skipped += 1
                return
        try:
            slip = slip_create(
                taken_by=self.on_duty(at),
                message=spec.message,
                for_staff=person,
                for_department=department,
                send_to=spec.send_to,
                caller_name=spec.caller_name,
                caller_company=spec.caller_company,
                caller_number=spec.caller_number,
                callback_time=spec.callback_time,
                urgency=spec.urgency,
                mood=spec.mood,
                now=at,
            )
        except ValidationError:
            self.skipped += 1
            return
        self.slip_ids.append(slip.pk)
        self.send(at)
        reader = person or (department.head if department.head_id else None)
        if spec.fate == "acked" and reader is not None and reader.user_id:
            acked_at = self.working_later(at, 25)
            self.at(acked_at, partial(self.acknowledge_in_app, slip.pk, reader, spec.note))
        elif spec.fate == "done" and reader is not None and reader.user_id:
            acked_at = self.working_later(at, 40)
            self.at(acked_at, partial(self.acknowledge_in_app, slip.pk, reader, ""))
            done_at = self.working_later(acked_at, 150)
            self.at(done_at, partial(self.done, slip.pk, reader, spec.note))
        elif spec.fate == "desk_done":
            self.at(self.working_later(at, 90), partial(self.done, slip.pk, None, spec.note))
        elif spec.fate == "cover_acked":
            self.at(self.working_later(at, 30), partial(self.acknowledge_by_link, slip.pk))

    def acknowledge_in_app(self, pk: int, staff: Staff, note: str, at: datetime) -> None:
        """The recipient opens My messages and presses "got it"."""
        slip = MessageSlip.objects.get(pk=pk)
        if slip.status not in UNACKNOWLEDGED_SLIP_STATUSES:
            return
        slip_acknowledge(slip=slip, by=staff.user, note=note, now=at, staff=staff)

    def acknowledge_by_link(self, pk: int, at: datetime) -> None:
        """The first recipient told acknowledges through the e-mailed link."""
        slip = MessageSlip.objects.get(pk=pk)
        recipient = slip.slip_recipients.order_by("pk").first()
        if recipient is None or slip.status not in UNACKNOWLEDGED_SLIP_STATUSES:
            return
        sent = slip.delivered_at or slip.created_at
        token = slip_ack_token(slip_id=pk, staff_id=recipient.staff_id, now=sent)
        slip_acknowledge_by_link(token, now=at)

    def acknowledge_by_phone(self, pk: int, note: str, at: datetime) -> None:
        """The recipient rings the desk: the operator marks it acknowledged."""
        slip = MessageSlip.objects.get(pk=pk)
        if slip.status in UNACKNOWLEDGED_SLIP_STATUSES:
            slip_acknowledge(slip=slip, by=self.on_duty(at), note=note, now=at)

    def done(self, pk: int, staff: Staff | None, note: str, at: datetime) -> None:
        """Called back: by the recipient in My messages, else marked by the desk."""
        slip = MessageSlip.objects.get(pk=pk)
        if slip.status == SlipStatus.DONE:
            return
        if staff is not None:
            slip_done(slip=slip, by=staff.user, note=note, now=at, staff=staff)
        else:
            slip_done(slip=slip, by=self.on_duty(at), note=note, now=at)

    # Complaints ------------------------------------------------------------

    def complaint(self, item: PlannedComplaint, role: str, at: datetime) -> None:
        rng = random.Random(f"{SEED}-complaint-{item.key}")  # noqa: S311 - demo data
        if item.call is not None:
            call = item.call
            story = stories.story_for_call(
                call.purpose,
                rng=rng,
                month=f"{timezone.localtime(at):%y%m}",
                english="english" in call.notes.lower(),
            )
            name = call.caller_name or (call.caller.name if call.caller_id else "")
            name = name or demo.make_person(rng).full_name  # the operator asked for it
            email = ""
            if rng.random() < 0.3:
                email = f"{demo.email_local(name)}@example.com"
            fields = {"call": call, "customer_name": name, "customer_email": email}
            by = call.operator
        else:
            story = item.loose.story
            fields = {
                "customer_name": item.loose.customer_name,
                "customer_number": item.loose.customer_number,
                "customer_email": item.loose.customer_email,
            }
            by = self.on_duty(at)
        severity = "high" if role == "in_progress_late" else story.severity
        try:
            complaint = complaint_create(
                by=by,
                description=story.description,
                category=self.categories.get(story.category),
                product=self.products.get(story.product),
                severity=severity,
                language=story.language,
                now=at,
                calendar=self.calendar,
                **fields,
            )
        except ValidationError:
            self.skipped += 1
            return
        self.complaint_ids.append(complaint.pk)
        self.send(at)
        self.plan_complaint(complaint, story, role, rng)

    def plan_complaint(self, complaint: Complaint, story: stories.Story, role, rng) -> None:
        """The department's steps for `role`: most within the complaint's
        targets, some late (the sweeps escalate those first); squeezed into the
        working time since it came in when that is shorter."""
        team = self.teams.of(complaint.department)
        if team is None or role == "routed":
            return
        created = complaint.created_at
        ack_target = self._target(created, complaint.acknowledge_due_at, 240)
        ack = ack_target * (rng.uniform(0.15, 0.7) if rng.random() < 0.8 else rng.uniform(1.1, 1.8))
        plan = [(ack, "acknowledge")]
        if role != "acknowledged":
            work = ack + rng.uniform(20, 150)
            plan += [(ack + rng.uniform(3, 15), "assign"), (work, "start")]
            plan += [(work + rng.uniform(10, 60), "note"), (work + rng.uniform(60, 240), "update")]
        if role in ("resolved", "closed", "reopened"):
            target = self._target(created, complaint.resolve_due_at, 2400)
            share = rng.uniform(0.35, 0.9) if rng.random() < 0.8 else rng.uniform(1.05, 1.4)
            resolve = max(target * share, max(minutes for minutes, _step in plan) + 30)
            plan.append((resolve, "resolve"))
            if role in ("closed", "reopened"):
                plan.append((resolve + rng.uniform(120, 600), "close"))
            if role == "reopened":
                plan.append((resolve + rng.uniform(800, 1400), "reopen"))
        available = self.calendar.minutes_between(created, self.now)
        last = max(minutes for minutes, _step in plan)
        squeeze = min(1.0, 0.9 * available / last) if last else 1.0
        for minutes, what in plan:
            when = self.calendar.add(created, minutes * squeeze)
            self.at(when, partial(self.complaint_step, complaint.pk, team, story, what))

    def _target(self, start: datetime, due: datetime | None, default: float) -> float:
        """Working minutes from `start` to the deadline `due` (`default` without one)."""
        return self.calendar.minutes_between(start, due) if due is not None else default

    def complaint_step(self, pk: int, team: Team, story, what: str, at: datetime) -> None:
        complaint = Complaint.objects.select_related("department").get(pk=pk)
        lead, worker = team.lead, team.worker
        common = {"complaint": complaint, "now": at, "calendar": self.calendar}
        if what == "acknowledge":
            complaint_set_status(
                **common,
                by=lead.user,
                by_staff=lead,
                to_status=ComplaintStatus.ACKNOWLEDGED,
                text=story.ack,
            )
        elif what == "assign":
            complaint_assign(complaint=complaint, by=lead.user, by_staff=lead, staff=worker, now=at)
        elif what == "start":
            complaint_set_status(
                **common, by=worker.user, by_staff=worker, to_status=ComplaintStatus.IN_PROGRESS
            )
        elif what in ("note", "update"):
            customer = what == "update"
            complaint_comment(
                complaint=complaint,
                by=worker.user,
                by_staff=worker,
                text=story.update if customer else story.work,
                visibility=Visibility.CUSTOMER if customer else Visibility.INTERNAL,
                now=at,
            )
        elif what == "resolve":
            complaint_set_status(
                **common,
                by=worker.user,
                by_staff=worker,
                to_status=ComplaintStatus.RESOLVED,
                text=story.resolution,
                visibility=Visibility.CUSTOMER,
            )
        elif what == "close":
            complaint_set_status(
                **common,
                by=lead.user,
                by_staff=lead,
                to_status=ComplaintStatus.CLOSED,
                text=story.close,
            )
        else:
            complaint_set_status(
                **common,
                by=lead.user,
                by_staff=lead,
                to_status=ComplaintStatus.REOPENED,
                text=story.reopen,
            )
        self.send(at)


def _ceil(moment: datetime, step: timedelta) -> datetime:
    """The first beat (a multiple of `step` since midnight UTC) at or after `moment`."""
    seconds = step.total_seconds()
    stamp = moment.timestamp()
    beats = -(-stamp // seconds)
    return datetime.fromtimestamp(beats * seconds, tz=moment.tzinfo)


def _urgency(purpose: str, rng: random.Random) -> str:
    """How urgent a message is: what it says, else a desk's usual mix."""
    text = purpose.lower()
    for word, urgency in stories.URGENCY_WORDS:
        if word in text:
            return urgency
    return rng.choices(["low", "normal", "high", "urgent"], [15, 55, 22, 8])[0]
