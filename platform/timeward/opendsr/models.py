"""OpenDSR requests a controller's tool sent about one subject (processor side)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base, CreatedAt, TenantScoped


class OpenDsrRequest(TenantScoped, CreatedAt, Base):
    """No identity value is kept: ``encoded_request`` has them replaced by SHA-256 digests,
    so an erasure leaves no copy of the subject's e-mail or number here."""

    __tablename__ = "opendsr_requests"
    __table_args__ = (UniqueConstraint("tenant_id", "subject_request_id"),)

    subject_request_id: Mapped[str] = mapped_column(String(100))
    subject_request_type: Mapped[str] = mapped_column(String(16))
    regulation: Mapped[str] = mapped_column(String(16))
    api_version: Mapped[str] = mapped_column(String(8))
    submitted_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    instruction_id: Mapped[UUID | None]  # an erasure's; None: no employee matched (0 results)
    privacy_request_id: Mapped[UUID | None]  # an access or portability request's export
    status: Mapped[str] = mapped_column(String(16))  # when there is no instruction
    results_count: Mapped[int | None]
    expected_completion_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    encoded_request: Mapped[str] = mapped_column(Text)
    processor_signature: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[UUID]
