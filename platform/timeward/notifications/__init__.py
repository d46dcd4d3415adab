"""In-app notifications: tenant-scoped messages to members of a tenant."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="notifications",
    controllers=("timeward.notifications.routes:MyNotificationsController",),
)
