"""The staff console's page routes and the permission each declares (its API twin's);
tests/web/test_page_routes.py checks the app serves exactly these."""

from __future__ import annotations

STAFF_PUBLIC_PAGES = {("GET", "/staff/sign-in"), ("POST", "/staff/sign-in")}
STAFF_PAGES = {
    ("GET", "/staff"): ("platform_instructions", "read"),
    ("GET", "/staff/instructions"): ("platform_instructions", "read"),
    ("GET", "/staff/instructions/{instruction_id:uuid}"): ("platform_instructions", "read"),
    ("POST", "/staff/instructions/{instruction_id:uuid}/status"): (
        "platform_instructions",
        "update",
    ),
    ("GET", "/staff/instructions/retry-failed"): ("platform_instructions", "update"),
    ("POST", "/staff/instructions/retry-failed"): ("platform_instructions", "update"),
    ("GET", "/staff/legal-holds"): ("platform_legal_holds", "read"),
    ("POST", "/staff/legal-holds"): ("platform_legal_holds", "create"),
    ("POST", "/staff/legal-holds/{hold_id:uuid}/release"): ("platform_legal_holds", "update"),
    ("GET", "/staff/breaches"): ("platform_breaches", "read"),
    ("POST", "/staff/breaches"): ("platform_breaches", "create"),
    ("GET", "/staff/breaches/{breach_id:uuid}"): ("platform_breaches", "read"),
    ("POST", "/staff/breaches/{breach_id:uuid}/follow-ups"): ("platform_breaches", "create"),
    ("GET", "/staff/authority-requests"): ("platform_authority_requests", "read"),
    ("POST", "/staff/authority-requests"): ("platform_authority_requests", "create"),
    ("GET", "/staff/authority-requests/{request_id:uuid}"): ("platform_authority_requests", "read"),
    ("POST", "/staff/authority-requests/{request_id:uuid}/decision"): (
        "platform_authority_requests",
        "update",
    ),
    ("POST", "/staff/authority-requests/{request_id:uuid}/order-review"): (
        "platform_authority_requests",
        "update",
    ),
    ("GET", "/staff/authority-requests/{request_id:uuid}/disclosure.zip"): (
        "platform_authority_requests",
        "read",
    ),
    ("GET", "/staff/sub-processors"): ("platform_sub_processor_objections", "read"),
    ("POST", "/staff/sub-processors"): ("platform_sub_processors", "create"),
    ("POST", "/staff/sub-processors/{sub_processor_id:uuid}"): (
        "platform_sub_processors",
        "update",
    ),
    ("GET", "/staff/privacy-notice"): ("platform_privacy_notice", "read"),
    ("POST", "/staff/privacy-notice"): ("platform_privacy_notice", "create"),
    ("GET", "/staff/tenants"): ("tenants", "read"),
    ("POST", "/staff/tenants"): ("tenants", "create"),
    ("POST", "/staff/tenants/{tenant_id:uuid}/status"): ("tenants", "update"),
    ("GET", "/staff/support"): ("platform_support_grants", "read"),
    ("POST", "/staff/support/enter"): ("platform_support_grants", "read"),
    ("POST", "/staff/support/leave"): ("platform_support_grants", "read"),
    ("GET", "/staff/support/{tenant_id:uuid}/employees"): ("employees", "read"),
    ("GET", "/staff/team"): ("staff", "read"),
    ("POST", "/staff/team/{user_id:uuid}"): ("staff", "update"),
    ("POST", "/staff/team"): ("staff", "create"),
}
