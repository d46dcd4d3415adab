"""Accounts at the HTTP edge: request bodies and response structs (no I/O)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from timeward.fields import (
    CountryCode,
    Email,
    Name,
    NewPassword,
    Password,
    Slug,
    Subdivision,
)
from timeward.identity.models import PlatformRole, TenantRole, TenantStatus, UserStatus


class MeView(msgspec.Struct):
    user_id: UUID
    tenant_id: UUID | None
    role: str


class UserView(msgspec.Struct):
    user_id: UUID | None  # None while the invitation is pending: ids are not disclosed
    email: str
    role: str
    status: str


class NewUser(msgspec.Struct, forbid_unknown_fields=True):
    """No password: the person sets their own through the e-mailed invitation."""

    email: Email
    role: TenantRole


class InvitationView(msgspec.Struct):
    id: UUID
    tenant: str
    organisation: str
    role: str
    email: str
    expires_at: datetime
    sets_password: bool


class Acceptance(msgspec.Struct):
    """A new password when the account has none yet, else its current password."""

    password: Password


class PasswordChange(msgspec.Struct):
    current_password: Password
    new_password: NewPassword


class UserChange(msgspec.Struct):
    role: TenantRole | None = None
    status: UserStatus | None = None


class TenantView(msgspec.Struct):
    id: UUID
    slug: str
    name: str
    status: str
    country: str
    subdivision: str | None
    created_at: datetime


class NewTenantRequest(msgspec.Struct, forbid_unknown_fields=True):
    slug: Slug
    name: Name
    country: CountryCode
    admin_email: Email  # invited by e-mail; sets their own password
    subdivision: Subdivision | None = None


class TenantChange(msgspec.Struct):
    status: TenantStatus


class NewStaff(msgspec.Struct, forbid_unknown_fields=True):
    email: Email  # invited by e-mail to a platform identity of their own
    role: PlatformRole


class StaffView(msgspec.Struct):
    user_id: UUID
    role: str


class StaffMemberView(msgspec.Struct):
    user_id: UUID
    email: str
    role: str
    status: str
    invited: bool


class StaffChangeBody(msgspec.Struct, forbid_unknown_fields=True):
    role: PlatformRole | None = None
    status: UserStatus | None = None
