"""Imports every mapped module so ``metadata`` knows all tables (Alembic, tests)."""

from tenants.employees import models as _employees
from tenants.privacy_requests import models as _privacy_requests
from tenants.settings import models as _settings
from tenants.sites import models as _sites
from tenants.time import models as _time
from timeward.audit import models as _audit
from timeward.auth import models as _auth
from timeward.breaches import models as _breaches
from timeward.crypto import models as _crypto
from timeward.db.base import Base
from timeward.identity import models as _identity
from timeward.mail import models as _mail
from timeward.notifications import models as _notifications
from timeward.processing import models as _processing
from timeward.sso import models as _sso
from timeward.subprocessors import models as _subprocessors
from timeward.support import models as _support

metadata = Base.metadata

__all__ = [
    "_audit",
    "_auth",
    "_breaches",
    "_crypto",
    "_employees",
    "_identity",
    "_mail",
    "_notifications",
    "_privacy_requests",
    "_processing",
    "_settings",
    "_sites",
    "_sso",
    "_subprocessors",
    "_support",
    "_time",
    "metadata",
]
