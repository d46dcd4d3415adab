"""The platform staff console (the processor's pages under ``/staff/``): see docs/web.md,
"The staff console"."""

from __future__ import annotations

from timeward.web.pages.staff.accountability import StaffAccountabilityPages
from timeward.web.pages.staff.authority_requests import StaffAuthorityRequestPages
from timeward.web.pages.staff.instructions import StaffInstructionPages
from timeward.web.pages.staff.sign_in import StaffSignInPages
from timeward.web.pages.staff.tenants import StaffTenantPages

STAFF_PAGE_CONTROLLERS = (
    StaffSignInPages,
    StaffInstructionPages,
    StaffAccountabilityPages,
    StaffAuthorityRequestPages,
    StaffTenantPages,
)

__all__ = ["STAFF_PAGE_CONTROLLERS"]
