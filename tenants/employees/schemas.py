"""Employees at the HTTP edge: request bodies and response structs (no I/O).

`EmployeeChange` is the one description of an employee's editable fields; the privacy
requests' rectification reuses it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from tenants.employees.models import EmployeeStatus
from timeward.fields import UNSET, Email, Name, Unset

Phone = Annotated[
    str,
    msgspec.Meta(pattern=r"^\+?[0-9][0-9 ()./-]{2,38}$", max_length=40, description="Phone number"),
]
PostalAddress = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
EmployeeNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class NewEmployee(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    work_email: Email | None = None
    phone: Phone | None = None
    postal_address: PostalAddress | None = None
    employee_number: EmployeeNumber | None = None
    job_title: Name | None = None
    hire_date: date | None = None
    user_id: UUID | None = None
    site_id: UUID | None = None  # the site they work at (shown in the directory)
    marketing_opt_in: bool = False
    directory_excluded: bool = False
    processing_restricted: bool = False


class PersonalDetailsChange(msgspec.Struct, forbid_unknown_fields=True):
    """The person's own details, as an admin edits them and as a rectification corrects
    them: only the fields given change; null clears an optional field."""

    name: Name | Unset = UNSET
    work_email: Email | Unset | None = UNSET
    phone: Phone | Unset | None = UNSET
    postal_address: PostalAddress | Unset | None = UNSET
    employee_number: EmployeeNumber | Unset | None = UNSET
    job_title: Name | Unset | None = UNSET
    hire_date: date | Unset | None = UNSET


class EmployeeChange(PersonalDetailsChange, forbid_unknown_fields=True):
    """An admin's edit: the personal details plus the record's links and flags."""

    user_id: UUID | Unset | None = UNSET
    site_id: UUID | Unset | None = UNSET
    status: EmployeeStatus | Unset = UNSET
    marketing_opt_in: bool | Unset = UNSET
    directory_excluded: bool | Unset = UNSET
    processing_restricted: bool | Unset = UNSET


class ContactView(msgspec.Struct):
    work_email: str | None
    phone: str | None
    postal_address: str | None


class EmployeeView(msgspec.Struct):
    id: UUID
    user_id: UUID | None
    name: str
    employee_number: str | None
    job_title: str | None
    hire_date: date | None
    site_id: UUID | None
    status: str
    marketing_opt_in: bool
    directory_excluded: bool
    processing_restricted: bool
    # set by an upheld objection to location (geofence, off); null: the tenant's mode
    location_limit: str | None
    location_limit_lifted_at: datetime | None  # when an admin last lifted it
    contact: ContactView | None  # null when the caller's role may not see contact details
    created_at: datetime
    updated_at: datetime
