"""Response views of in-app notifications."""

from __future__ import annotations

from timeward.notifications.models import Notification
from timeward.notifications.schemas import NotificationView


def notification_view(n: Notification) -> NotificationView:
    return NotificationView(n.id, n.kind, n.title, n.body, n.created_at, n.read_at)
