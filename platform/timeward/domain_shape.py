"""What a domain package declares about itself: the :class:`Domain` value.

Each domain package's ``__init__`` builds one ``DOMAIN = Domain(...)`` naming what it
contributes: its route controllers, its job modules (they declare actors) and its
periodic jobs. :data:`timeward.domains.DOMAINS` lists them all; the app, the worker and
the scheduler read that list (docs/architecture.md, "The shape of a domain").

Everything is named by a dotted reference (``"package.module:Name"`` for an object,
``"package.module"`` for a module), imported only by the process that uses it. Why not
the objects themselves: a package's ``__init__`` runs whenever any of its modules is
imported. Importing ``routes`` there would pull the web layer into every import of a
model or a service, and close cycles (routes import other domains' services, whose
packages would import their routes back); importing ``jobs`` would declare actors on
the process's broker as a side effect of reading a model, in a migration say. So the
``__init__`` imports only this module, and ``tests/test_domain_shape.py`` proves every
reference resolves.

This module is separate from ``timeward.domains`` because that one imports every domain
package: a package importing its own ``Domain`` type from there would be a cycle.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Every:
    """A fixed interval, e.g. ``Every(minutes=5)``."""

    hours: int = 0
    minutes: int = 0


@dataclass(frozen=True)
class At:
    """A time of day: ``At(minute=7)`` is hourly at :07, ``At(hour=3, minute=15)`` daily at
    03:15, in UTC whatever the machine's local time zone."""

    minute: int
    hour: int | None = None


@dataclass(frozen=True)
class Periodic:
    """An actor taking no arguments, enqueued by the one scheduler on ``when``."""

    actor: str  # "package.jobs:actor_name"
    when: Every | At


@dataclass(frozen=True)
class Domain:
    name: str
    controllers: tuple[str, ...] = ()  # "package.routes:SomeController"
    job_modules: tuple[str, ...] = ()  # "package.jobs"
    periodic: tuple[Periodic, ...] = ()


def resolve(reference: str) -> object:
    """Import ``"package.module:Name"`` and return ``Name``."""
    module_name, _, attribute = reference.partition(":")
    if not attribute:
        raise ValueError(f"{reference!r} is not of the form 'package.module:Name'")
    return getattr(importlib.import_module(module_name), attribute)
