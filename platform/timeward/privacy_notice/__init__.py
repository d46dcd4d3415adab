"""Privacy notices as versioned documents: the platform's notice to its customers and each
tenant's employee notice, generated from the tenant's configuration and regenerated when
an input changes; significant changes announced by mail and banner before they take
effect (docs/accountability.md, "Notice versions", "The generated employee notice").

Not the ``notices`` domain: that one delivers the processor's breach and sub-processor
notices to client admins."""

from timeward.domain_shape import Domain, Every, Periodic

DOMAIN = Domain(
    name="privacy_notice",
    controllers=(
        "timeward.privacy_notice.routes:PrivacyNoticeController",
        "timeward.privacy_notice.routes:PlatformNoticeController",
    ),
    job_modules=("timeward.privacy_notice.jobs",),
    periodic=(
        Periodic("timeward.privacy_notice.jobs:refresh_all_privacy_notices", Every(minutes=60)),
    ),
)
