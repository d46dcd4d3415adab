"""Offboarding finalisers: steps that run last, after the export is delivered and every
tenant table's rows are deleted — above all, destroying the tenant's data key
(crypto-shredding), after which any backup copy of its encrypted fields is unreadable.

A feature that owns such a step registers it::

    register_offboarding_finaliser(
        OffboardingFinaliser(
            name="tenant_data_key",
            tables=("tenant_data_keys",),        # left out of the generic deletion
            run=destroy,                          # async (session, tenant_id) -> int
            description="tenant data key destroyed (crypto-shredding)",
        )
    )

``run`` gets the executor's tenant-scoped session and must be idempotent (it may run
twice); it returns how many items it destroyed. The tables it names are not deleted by
the generic deletion: the finaliser decides what happens to their rows.

The workforce data keys plug in without registration: when
``timeward.crypto.data_keys.destroy_tenant_data_key(session, tenant_id) -> int`` exists,
:func:`offboarding_finalisers` registers it as ``tenant_data_key`` owning
``tenant_data_keys``. Nothing else is needed once that module is merged.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

FinaliserFunction = Callable[[AsyncSession, UUID], Awaitable[int]]

DATA_KEY_MODULE = "timeward.crypto.data_keys"
DATA_KEY_FUNCTION = "destroy_tenant_data_key"
DATA_KEY_FINALISER = "tenant_data_key"


@dataclass(frozen=True)
class OffboardingFinaliser:
    name: str
    tables: tuple[str, ...]
    run: FinaliserFunction
    description: str


_registry: dict[str, OffboardingFinaliser] = {}


def register_offboarding_finaliser(finaliser: OffboardingFinaliser) -> None:
    """Add (or replace, by name) a finaliser; they run in name order."""
    _registry[finaliser.name] = finaliser


def unregister_offboarding_finaliser(name: str) -> None:
    _registry.pop(name, None)


def _data_key_finaliser() -> OffboardingFinaliser | None:
    try:
        module = importlib.import_module(DATA_KEY_MODULE)
    except ModuleNotFoundError:
        return None
    destroy = getattr(module, DATA_KEY_FUNCTION, None)
    if destroy is None:
        return None

    async def run(session: AsyncSession, tenant_id: UUID) -> int:
        return int(await destroy(session, tenant_id))

    return OffboardingFinaliser(
        DATA_KEY_FINALISER,
        ("tenant_data_keys",),
        run,
        "tenant data key destroyed (crypto-shredding)",
    )


def offboarding_finalisers() -> list[OffboardingFinaliser]:
    if DATA_KEY_FINALISER not in _registry:
        found = _data_key_finaliser()
        if found is not None:
            register_offboarding_finaliser(found)
    return [_registry[name] for name in sorted(_registry)]


def finaliser_tables() -> frozenset[str]:
    return frozenset(table for f in offboarding_finalisers() for table in f.tables)
