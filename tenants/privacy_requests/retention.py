"""What erasure does with each table, and the legal bases of what it keeps.

Loaded from ``policies/retention_bases.toml`` (data, not code) and validated on load:
an unknown key, an unknown action, a "retain" without a basis or a basis that is not
defined fails with the file and table named. Tables not listed are deleted.
The file is re-read when it changes.
"""

from __future__ import annotations

import enum
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timeward.paths import POLICY_DIR

RETENTION_FILE = POLICY_DIR / "retention_bases.toml"
AUDIT_BASIS = "audit"  # the basis of the pseudonymised audit log (required)

_BASIS_KEYS = frozenset({"title", "legal_basis", "explanation"})
_TABLE_KEYS = frozenset({"action", "label", "basis", "keep", "replace", "clear"})


class RetentionPolicyError(ValueError):
    """The retention file is missing, unreadable or malformed."""


class ErasureAction(enum.StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"
    RETAIN = "retain"


@dataclass(frozen=True)
class Basis:
    key: str
    title: str
    legal_basis: str
    explanation: str


@dataclass(frozen=True)
class TableRule:
    table: str
    action: ErasureAction
    label: str
    basis: str | None = None
    keep: frozenset[str] = frozenset()
    replace: dict[str, str] = field(default_factory=dict)
    clear: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RetentionPolicy:
    bases: dict[str, Basis]
    tables: dict[str, TableRule]

    def rule(self, table: str) -> TableRule:
        """The table's rule; an unlisted table is deleted."""
        return self.tables.get(
            table, TableRule(table, ErasureAction.DELETE, table.replace("_", " "))
        )


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RetentionPolicyError(f"{where} must be non-empty text.")
    return " ".join(value.split())


def _names(value: object, where: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise RetentionPolicyError(f"{where} must be a list of column names.")
    return frozenset(_text(item, f"{where}[{i}]") for i, item in enumerate(value))


def _table(name: str, value: object, bases: dict[str, Basis], source: str) -> TableRule:
    where = f"{source}: [tables.{name}]"
    if not isinstance(value, dict):
        raise RetentionPolicyError(f"{where} must be a table.")
    unknown = set(value) - _TABLE_KEYS
    if unknown:
        raise RetentionPolicyError(f"{where}: unknown key(s) {sorted(unknown)}.")
    try:
        action = ErasureAction(str(value.get("action")))
    except ValueError:
        raise RetentionPolicyError(
            f"{where}: action must be one of {[a.value for a in ErasureAction]}."
        ) from None
    basis = value.get("basis")
    if action is ErasureAction.RETAIN and basis is None:
        raise RetentionPolicyError(f"{where}: a retained table needs a basis.")
    if basis is not None and basis not in bases:
        raise RetentionPolicyError(f"{where}: unknown basis {basis!r}.")
    replace = value.get("replace", {})
    if not isinstance(replace, dict):
        raise RetentionPolicyError(f"{where}: replace must be a table of column = text.")
    return TableRule(
        table=name,
        action=action,
        label=_text(value.get("label", name.replace("_", " ")), f"{where} label"),
        basis=basis,
        keep=_names(value.get("keep", []), f"{where} keep"),
        replace={k: _text(v, f"{where} replace.{k}") for k, v in replace.items()},
        clear=_names(value.get("clear", []), f"{where} clear"),
    )


def parse_policy(data: dict[str, Any], source: str = "<retention>") -> RetentionPolicy:
    unknown = set(data) - {"bases", "tables"}
    if unknown:
        raise RetentionPolicyError(f"{source}: unknown table(s) {sorted(unknown)}.")
    raw_bases = data.get("bases")
    if not isinstance(raw_bases, dict) or not raw_bases:
        raise RetentionPolicyError(f"{source}: at least one [bases.<key>] is required.")
    bases = {}
    for key, value in raw_bases.items():
        where = f"{source}: [bases.{key}]"
        if not isinstance(value, dict) or set(value) != _BASIS_KEYS:
            raise RetentionPolicyError(f"{where} needs exactly {sorted(_BASIS_KEYS)}.")
        bases[key] = Basis(
            key,
            _text(value["title"], f"{where} title"),
            _text(value["legal_basis"], f"{where} legal_basis"),
            _text(value["explanation"], f"{where} explanation"),
        )
    if AUDIT_BASIS not in bases:
        raise RetentionPolicyError(f"{source}: [bases.{AUDIT_BASIS}] is required.")
    raw_tables = data.get("tables", {})
    if not isinstance(raw_tables, dict):
        raise RetentionPolicyError(f"{source}: [tables] must be tables.")
    tables = {name: _table(name, value, bases, source) for name, value in raw_tables.items()}
    return RetentionPolicy(bases, tables)


def load_policy(path: Path = RETENTION_FILE) -> RetentionPolicy:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RetentionPolicyError(f"{path}: {exc}") from exc
    return parse_policy(data, str(path))


_cache: dict[Path, tuple[float, RetentionPolicy]] = {}


def retention_policy(path: Path = RETENTION_FILE) -> RetentionPolicy:
    """The policy, re-read when the file changes."""
    stamp = path.stat().st_mtime
    cached = _cache.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_policy(path))
        _cache[path] = cached
    return cached[1]
