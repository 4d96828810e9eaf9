"""Roster, shift swaps, the clock and attendance (issue 9, first section).

- roster-week: the supervisors' week grid, filled by keyboard or drag;
  roster-cell (POST) saves one cell and answers with it; roster-copy (POST)
  copies the week before.
- swap-list: the supervisors' swaps; swap-decide (POST) approves or refuses.
- my-schedule: an operator's shifts, attendance and swaps; swap-new,
  swap-answer, swap-cancel (POST) from there.
- clock-in / clock-out (POST): from the navigation bar on every page.
- attendance-day: a day's attendance for all operators, with who is on duty
  now; attendance-correct and attendance-withdraw for the supervisors.
"""

from django.urls import path

from reports.views.roster import attendance, clock, mine, swaps, week

urlpatterns = [
    path("roster/", week.roster_week, name="roster-week"),
    path("roster/cell/", week.roster_cell, name="roster-cell"),
    path("roster/copy/", week.roster_copy, name="roster-copy"),
    path("swaps/", swaps.swap_list, name="swap-list"),
    path("swaps/new/", swaps.swap_new, name="swap-new"),
    path("swaps/<int:pk>/decide/", swaps.swap_decide, name="swap-decide"),
    path("swaps/<int:pk>/answer/", swaps.swap_answer, name="swap-answer"),
    path("swaps/<int:pk>/cancel/", swaps.swap_cancel, name="swap-cancel"),
    path("my/schedule/", mine.my_schedule, name="my-schedule"),
    path("clock/in/", clock.clock_in, name="clock-in"),
    path("clock/out/", clock.clock_out, name="clock-out"),
    path("attendance/", attendance.attendance_day, name="attendance-day"),
    path("attendance/correct/", attendance.attendance_correct, name="attendance-correct"),
    path(
        "attendance/<int:pk>/withdraw/",
        attendance.attendance_withdraw,
        name="attendance-withdraw",
    ),
]
