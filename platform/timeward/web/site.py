"""The web site, handed to the application factory in one piece: the page routers (with
their session middleware and HTML error pages), the static files, the template engine
and the CSRF protection of every form.

Two credentials, two halves of the URL space: the bearer middleware skips the page paths
(``PAGE_PATHS``) and the session middleware is mounted on the page routers only, so a
cookie never authenticates ``/api`` and a token never a page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import litestar_offline_docs
from jinja2 import Environment, FileSystemLoader
from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import (
    OpenAPIRenderPlugin,
    SwaggerRenderPlugin,
)
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from timeward.config import Settings
from timeward.web.pages.admin.accountability import AdminAccountabilityPages
from timeward.web.pages.admin.instructions import AdminInstructionPages
from timeward.web.pages.admin.machine import MachineAdminPages
from timeward.web.pages.admin.privacy_requests import PrivacyRequestPages
from timeward.web.pages.admin.sso import SsoAdminPages
from timeward.web.pages.admin.timesheets import TimesheetPages
from timeward.web.pages.admin.workforce import WORKFORCE_PAGES
from timeward.web.pages.auth_pages import SignInPages
from timeward.web.pages.employee_pages import EmployeePages
from timeward.web.pages.errors import PAGE_EXCEPTION_HANDLERS
from timeward.web.pages.invitation_pages import InvitationPages
from timeward.web.pages.layout import PUBLIC_PAGE
from timeward.web.pages.mail_pages import MailPages
from timeward.web.pages.notice_pages import NoticePages
from timeward.web.pages.public_pages import PublicPages
from timeward.web.pages.sso_pages import SsoPages
from timeward.web.pages.staff import STAFF_PAGE_CONTROLLERS
from timeward.web.sessions import session_middleware

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
# Swagger UI's files, from the maintained package that ships them, served under /static/.
DOCS_ASSETS = Path(litestar_offline_docs.__file__).resolve().parent / "static"
NO_FAVICON = "<link rel='icon' href='data:,'>"

PAGE_PREFIXES = (
    "sign-in", "sign-out", "forgot-password", "home", "my", "privacy", "privacy-request", "t",
    "static", "language",
    "invitations",  # the e-mailed invitation link (timeward.identity.links)
    "admin",  # the client admin's console (tenants' controller side)
    "staff",  # the platform staff console (the processor)
    "sso",  # single sign-on callbacks
    "privacy-transfers",  # a portability transfer's recipient (its link's token)
    "mail",  # the signed unsubscribe link of optional mail (web/pages/mail_pages.py)
    "transparency",  # the public yearly counts of requests from authorities
)  # fmt: skip
PAGE_PATHS = rf"^/$|^/({'|'.join(PAGE_PREFIXES)})(/|$)"
# Everything else is the JSON API, the probes, the key set and the API docs: no CSRF
# (a bearer token is not sent by a browser on its own) and no CSRF cookie.
CSRF_EXEMPT = [
    r"^/api/",
    r"^/oauth/",
    r"^/opendsr/",
    r"^/health",
    r"^/ready",
    r"^/\.well-known/",
    r"^/docs",
    r"^/static/",
    # RFC 8058 one-click unsubscribe: a mail client POSTs with no cookie and no token; the
    # link's signature is the capability (timeward.mail.unsubscribe)
    r"^/mail/unsubscribe/",
]
CSRF_COOKIE = "timeward_csrf"


@dataclass(frozen=True)
class Site:
    route_handlers: list[Router]
    template_config: TemplateConfig[Any]
    csrf_config: CSRFConfig
    bearer_excluded: str


def _csrf_secret(settings: Settings) -> str:
    """Derived from the master key, so every process of one deployment agrees."""
    key = settings.resolve_master_key()
    return hashlib.sha256(b"timeward-csrf:" + key).hexdigest()


def docs_viewers() -> list[OpenAPIRenderPlugin]:
    """The API docs' viewer: Swagger UI (served at ``/docs``) from this app's own files, so
    the docs work offline. Scalar, the earlier viewer, is gone: it loads its script from
    a CDN, and no page of ours loads anything from another host."""
    return [
        SwaggerRenderPlugin(
            js_url="/static/swagger-ui-bundle.js",
            css_url="/static/swagger-ui.css",
            standalone_preset_js_url="/static/swagger-ui-standalone-preset.js",
            favicon=NO_FAVICON,
            path="/swagger",
        ),
    ]


def _jinja() -> Environment:
    """Autoescaping on, gettext through the i18n extension (the language's functions come
    with each page's context, ``timeward.web.i18n``)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return environment


# The page controllers (the web pages share the domains' services and views).
PAGE_CONTROLLERS = (
    SignInPages, EmployeePages, PublicPages, InvitationPages, SsoPages,
    PrivacyRequestPages, *WORKFORCE_PAGES, TimesheetPages,
    AdminInstructionPages, AdminAccountabilityPages, SsoAdminPages, MachineAdminPages,
    MailPages, NoticePages,
    *STAFF_PAGE_CONTROLLERS,
)  # fmt: skip


def web_site(settings: Settings) -> Site:
    pages = Router(
        path="/",
        route_handlers=list(PAGE_CONTROLLERS),
        middleware=[session_middleware],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC, DOCS_ASSETS],
        opt=PUBLIC_PAGE,
        cache_control=CacheControlHeader(max_age=3600),
        include_in_schema=False,
    )
    return Site(
        route_handlers=[pages, static],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(_jinja())),
        csrf_config=CSRFConfig(
            secret=_csrf_secret(settings),
            cookie_name=CSRF_COOKIE,
            cookie_httponly=True,
            cookie_secure=settings.public_url.startswith("https://"),
            cookie_samesite="lax",
            exclude=CSRF_EXEMPT,
        ),
        bearer_excluded=PAGE_PATHS,
    )
