"""Data-subject requests (GDPR Art. 12-22): the controller's flow (docs/architecture.md, Flow A).

An employee files a request in the app, or anyone files one at the public intake; the
request lands in the employer's queue and only a client admin of that tenant decides
and fulfils it (export, erasure, rectification, restriction, objection, consent
withdrawal). The platform routes and records; it never decides. See
docs/privacy-requests.md.
"""

from timeward.domain_shape import At, Domain, Every, Periodic

DOMAIN = Domain(
    name="privacy_requests",
    controllers=(
        "tenants.privacy_requests.routes:MyPrivacyRequestsController",
        "tenants.privacy_requests.routes:PrivacyRequestsController",
        "tenants.privacy_requests.routes:LocationLimitController",
        "tenants.privacy_requests.routes:PublicPrivacyRequestsController",
    ),
    job_modules=("tenants.privacy_requests.jobs",),
    periodic=(
        Periodic("tenants.privacy_requests.jobs:reconcile_privacy_requests", Every(minutes=5)),
        Periodic("tenants.privacy_requests.jobs:purge_expired_privacy_exports", Every(hours=1)),
        Periodic(  # daily
            "tenants.privacy_requests.jobs:flag_overdue_privacy_requests", At(hour=6, minute=0)
        ),
    ),
)
