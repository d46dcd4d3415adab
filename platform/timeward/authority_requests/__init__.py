"""Requests from authorities (court orders, subpoenas, warrants): a register kept by
platform staff, the client told unless a non-disclosure order is in force, disclosures
produced by the subject export and recorded with their digest, and a public yearly
transparency count (docs/accountability.md, "Requests from authorities")."""

from timeward.domain_shape import Domain, Every, Periodic

DOMAIN = Domain(
    name="authority_requests",
    controllers=(
        "timeward.authority_requests.routes:PlatformAuthorityRequestsController",
        "timeward.authority_requests.routes:AuthorityRequestsController",
        "timeward.authority_requests.routes:TransparencyController",
    ),
    job_modules=("timeward.authority_requests.jobs",),
    periodic=(
        Periodic("timeward.authority_requests.jobs:sweep_authority_requests", Every(minutes=5)),
    ),
)
