"""Single sign-on per tenant with OpenID Connect (docs/identity-and-roles.md, "Single
sign-on"): the client admin's configuration, the authorization-code flow with PKCE, and
the ID token check that turns an IdP's answer into a membership of the tenant."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="sso",
    controllers=("timeward.sso.routes:SsoSettingsController",),
)
