"""Signed webhooks (Standard Webhooks) of a tenant: endpoints, the events the domain
services emit, at-least-once delivery in order per endpoint (docs/machine-api.md)."""

from timeward.domain_shape import Domain, Every, Periodic

DOMAIN = Domain(
    name="webhooks",
    controllers=("timeward.webhooks.routes:WebhooksController",),
    job_modules=("timeward.webhooks.jobs",),
    periodic=(Periodic("timeward.webhooks.jobs:reconcile_webhooks", Every(minutes=5)),),
)
