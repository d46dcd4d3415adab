"""Imports every mapped module so ``metadata`` knows all tables (Alembic, tests)."""

from timeward.audit import models as _audit
from timeward.auth import models as _auth
from timeward.breaches import models as _breaches
from timeward.db.base import Base
from timeward.identity import models as _identity
from timeward.mail import models as _mail
from timeward.notifications import models as _notifications
from timeward.processing import models as _processing
from timeward.subprocessors import models as _subprocessors
from timeward.support import models as _support

metadata = Base.metadata

__all__ = [
    "_audit",
    "_auth",
    "_breaches",
    "_identity",
    "_mail",
    "_notifications",
    "_processing",
    "_subprocessors",
    "_support",
    "metadata",
]
