"""The sub-processor registry (GDPR Art. 28(2)): public, versioned, managed by platform
admins; every change is announced to every active client with an objection window."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="subprocessors",
    controllers=(
        "timeward.subprocessors.routes:SubProcessorsController",
        "timeward.subprocessors.routes:PlatformSubProcessorsController",
    ),
    job_modules=("timeward.subprocessors.jobs",),
)
