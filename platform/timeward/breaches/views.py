"""Response views of breaches, built from the service's incidents and the notice rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from timeward.breaches.messages import notice_content
from timeward.breaches.models import BreachNotice
from timeward.breaches.schemas import (
    BreachView,
    FollowUpView,
    IncidentSummary,
    IncidentView,
    NoticeDeliveryView,
    TenantNoticeView,
)
from timeward.breaches.service import Delivery, FollowUp, Incident, NoticeStatus


def delivery_view(delivery: Delivery) -> NoticeDeliveryView:
    return NoticeDeliveryView(
        mail=delivery.mail_state,
        mail_queued=delivery.mail_queued,
        mail_sent=delivery.mail_sent,
        mail_failed=delivery.mail_failed,
        in_app=delivery.in_app,
        in_app_read=delivery.in_app_read,
        first_read_at=delivery.first_read_at,
    )


def notice_view(status: NoticeStatus) -> TenantNoticeView:
    notice = status.notice
    return TenantNoticeView(
        tenant_id=notice.tenant_id,
        tenant_slug=status.tenant_slug,
        tenant_name=status.tenant_name,
        basis=notice.basis,
        calendar=status.calendar.label,
        due_date=notice.due_date,
        unnotified=status.unnotified,
        working_days_left=status.working_days_left,
        overdue=status.overdue,
        notified_at=notice.notified_at,
        notified_in_time=status.notified_in_time,
        recipients=notice.recipients,
        acknowledged_at=notice.acknowledged_at,
        delivery=delivery_view(status.delivery),
    )


def _facts(breach_id: UUID, content: dict[str, Any]) -> dict[str, Any]:
    """The ``BreachFacts`` fields, from what a client is told (``messages.notice_content``)."""
    return {
        "id": breach_id,
        "title": content["title"],
        "discovered_at": datetime.fromisoformat(content["discovered_at"]),
        "data_categories": content["data_categories"],
        "subject_categories": content["subject_categories"],
        "approx_subjects": content["approx_subjects"],
        "approx_records": content["approx_records"],
        "likely_consequences": content["likely_consequences"],
        "measures_taken": content["measures_taken"],
        "measures_proposed": content["measures_proposed"],
        "contact_point": content["contact_point"],
    }


def _tracking(incident: Incident) -> dict[str, Any]:
    """When the incident was recorded and where its notices stand."""
    return {
        "recorded_at": incident.breach.created_at,
        "tenant_count": len(incident.notices),
        "acknowledged_count": sum(1 for n in incident.notices if n.notice.acknowledged_at),
        "unnotified_count": len(incident.unnotified),
        "earliest_due": incident.earliest_due,
        "fewest_working_days_left": incident.fewest_working_days_left,
    }


def incident_summary(incident: Incident) -> IncidentSummary:
    breach = incident.breach
    return IncidentSummary(
        id=breach.id,
        title=breach.title,
        discovered_at=breach.discovered_at,
        unnotified=[notice_view(n) for n in incident.unnotified],
        **_tracking(incident),
    )


def follow_up_view(follow_up: FollowUp) -> FollowUpView:
    return FollowUpView(
        follow_up.id,
        follow_up.information,
        follow_up.added_at,
        follow_up.tenants,
        follow_up.notified,
    )


def incident_view(incident: Incident, follow_ups: Sequence[FollowUp] = ()) -> IncidentView:
    breach = incident.breach
    return IncidentView(
        **_facts(breach.id, notice_content(breach, [])),
        recorded_by=breach.recorded_by,
        description=breach.description,
        affected=breach.affected,
        tenants=[notice_view(n) for n in incident.notices],
        follow_ups=[follow_up_view(f) for f in follow_ups],
        **_tracking(incident),
    )


def breach_view(notice: BreachNotice) -> BreachView:
    """From the copy kept on the notice: the client cannot read the incident row."""
    content = notice.content
    return BreachView(
        **_facts(notice.breach_id, content),
        nature=content["nature"],
        affected_components=content["affected_components"],
        notice_due_date=notice.due_date,
        notified_at=notice.notified_at,
        acknowledged_at=notice.acknowledged_at,
        acknowledged_by=notice.acknowledged_by,
    )
