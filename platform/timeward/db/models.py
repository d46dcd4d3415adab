"""Imports every mapped module so ``metadata`` knows all tables (Alembic, tests)."""

from tenants.employees import models as _employees
from tenants.settings import models as _settings
from tenants.sites import models as _sites
from tenants.time import models as _time
from timeward.audit import models as _audit
from timeward.auth import models as _auth
from timeward.crypto import models as _crypto
from timeward.db.base import Base
from timeward.identity import models as _identity

metadata = Base.metadata

__all__ = [
    "_audit",
    "_auth",
    "_crypto",
    "_employees",
    "_identity",
    "_settings",
    "_sites",
    "_time",
    "metadata",
]
