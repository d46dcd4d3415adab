"""The data controller's own details for its record: set by its client admin, read by the
platform. "Controller" here is the GDPR data controller (the client), not an HTTP controller."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from timeward.db.base import Base


class DataControllerDetails(Base):
    """Art. 30(2)(a): the data controller's contact details, its DPO and its EU representative."""

    __tablename__ = "controller_details"

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    contact: Mapped[str] = mapped_column(Text)
    dpo: Mapped[str | None] = mapped_column(Text)
    representative: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    updated_by: Mapped[UUID | None]
