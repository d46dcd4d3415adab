"""Clocking in and out, and the time entries built from it or entered by managers."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="time",
    controllers=(
        "tenants.time.routes:ClockController",
        "tenants.time.routes:MyTimeController",
        "tenants.time.routes:ClockEventsController",
        "tenants.time.routes:TimeEntriesController",
        "tenants.time.timesheet_routes:TimesheetsController",
        "tenants.time.timesheet_routes:PeriodLocksController",
    ),
)
