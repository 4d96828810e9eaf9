"""Supervision: the operators' roster and attendance, call quality reviews,
the KPIs built on both, the daily recap and the shift handover.

One module per area; everything is importable from `reports.models`.
"""

from reports.models.kpi import (
    DisciplineRule,
    KpiSettings,
    KpiSignOff,
    OperatorDay,
    OperatorDayDirty,
    SignOffStatus,
)
from reports.models.quality import (
    AnswerChoice,
    CalibrationRound,
    DisputeDecision,
    Review,
    ReviewAnswer,
    ReviewKind,
    ReviewSample,
    ReviewStatus,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
)
from reports.models.recap import DailyRecap, RecapStatus, ShiftHandover
from reports.models.roster import (
    ABSENCE_KEYS,
    ABSENCE_KINDS,
    OPEN_SWAP_STATUSES,
    SWAP_TRANSITIONS,
    AttendanceDay,
    AttendanceStatus,
    ClockSession,
    RosterEntry,
    RosterKind,
    ShiftSwap,
    ShiftType,
    SwapStatus,
)

__all__ = [
    "ABSENCE_KEYS",
    "ABSENCE_KINDS",
    "OPEN_SWAP_STATUSES",
    "SWAP_TRANSITIONS",
    "AnswerChoice",
    "AttendanceDay",
    "AttendanceStatus",
    "CalibrationRound",
    "ClockSession",
    "DailyRecap",
    "DisciplineRule",
    "DisputeDecision",
    "KpiSettings",
    "KpiSignOff",
    "OperatorDay",
    "OperatorDayDirty",
    "RecapStatus",
    "Review",
    "ReviewAnswer",
    "ReviewKind",
    "ReviewSample",
    "ReviewStatus",
    "RosterEntry",
    "RosterKind",
    "Scorecard",
    "ScorecardItem",
    "ScorecardSection",
    "ShiftHandover",
    "ShiftSwap",
    "ShiftType",
    "SignOffStatus",
    "SwapStatus",
]
