"""Single sign-on per tenant with OpenID Connect (docs/identity-and-roles.md, "Single
sign-on"): the client admin's configuration, the authorization-code flow with PKCE, and
the ID token check that turns an IdP's answer into a membership of the tenant."""

import warnings

import authlib.deprecate  # noqa: F401  (imported first: see below)

from timeward.domain_shape import Domain

# Authlib 1.9 announces at import that it will move to the httpx2 package; this app keeps
# httpx (the one HTTP client it ships with), so the notice only clutters startup output.
# authlib.deprecate installs an "always" filter when imported: ours goes in after it.
warnings.filterwarnings("ignore", message="The httpx module is deprecated", module=r"authlib\.")

DOMAIN = Domain(
    name="sso",
    controllers=("timeward.sso.routes:SsoSettingsController",),
)
