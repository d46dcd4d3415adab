"""Processor-side identity tables.

``tenants`` and ``platform_staff`` are processor metadata; ``users`` is the
global login identity (one person may work for several client companies);
``memberships`` ties a user to a tenant with a role and is tenant-scoped.
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, new_id


class TenantStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    OFFBOARDING = "offboarding"
    DELETED = "deleted"


class UserStatus(enum.StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


# A membership is also "pending" from the invitation until the person accepts it.
PENDING = "pending"


class Realm(enum.StrEnum):
    """Tenant identities hold memberships, platform identities staff roles; never both."""

    TENANT = "tenant"
    PLATFORM = "platform"


class LinkPurpose(enum.StrEnum):
    INVITATION = "invitation"
    RESET = "reset"


class TenantRole(enum.StrEnum):
    EMPLOYEE = "employee"
    CLIENT_MANAGER = "client_manager"
    CLIENT_ADMIN = "client_admin"


class PlatformRole(enum.StrEnum):
    PLATFORM_STAFF = "platform_staff"
    PLATFORM_ADMIN = "platform_admin"


def _one_of(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Tenant(CreatedAt, Base):
    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint(_one_of("status", TenantStatus), name="status"),
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", name="slug_format"),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_format"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=TenantStatus.ACTIVE)
    country: Mapped[str] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(8))


class User(CreatedAt, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_one_of("status", UserStatus), name="status"),
        CheckConstraint(_one_of("realm", Realm), name="realm"),
        Index("uq_users_realm_email_ci", "realm", func.lower("email"), unique=True),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.ACTIVE)
    realm: Mapped[str] = mapped_column(String(16), default=Realm.TENANT, server_default="tenant")


class Membership(CreatedAt, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(_one_of("role", TenantRole), name="role"),
        CheckConstraint("language IN ('en', 'de')", name="language"),
        Index("ix_memberships_tenant_id_role", "tenant_id", "role"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.ACTIVE)
    # The language the person chose with the switch while signed in (pages and mails).
    language: Mapped[str | None] = mapped_column(String(8))


class PlatformStaff(CreatedAt, Base):
    __tablename__ = "platform_staff"
    __table_args__ = (CheckConstraint(_one_of("role", PlatformRole), name="role"),)

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))


class AccountLink(Base):
    """An e-mailed single-use link (auth scope only); ``domain`` is a tenant id or platform."""

    __tablename__ = "account_links"
    __table_args__ = (CheckConstraint(_one_of("purpose", LinkPurpose), name="purpose"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    domain: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
