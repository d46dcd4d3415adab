"""Load and validate ``policies/retention.toml`` into frozen dataclasses."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from timeward.paths import POLICY_DIR

RETENTION_FILE = POLICY_DIR / "retention.toml"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RetentionPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Category:
    name: str
    table: str
    timestamp: str
    days: int
    where: str | None = None
    min_days: int = 0
    max_days: int = 36500
    configurable: bool = True

    def check_days(self, days: int) -> None:
        if not self.configurable:
            raise RetentionPolicyError(f"The retention of {self.name} cannot be changed.")
        if not self.min_days <= days <= self.max_days:
            raise RetentionPolicyError(
                f"The retention of {self.name} must be between {self.min_days} and "
                f"{self.max_days} days."
            )


@dataclass(frozen=True)
class InstructionRules:
    export_days: int
    purge_batch_rows: int
    retained_tables: MappingProxyType[str, str]


@dataclass(frozen=True)
class RetentionPolicy:
    categories: MappingProxyType[str, Category]
    instructions: InstructionRules


def _whole(where: str, key: str, value: Any, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RetentionPolicyError(f"{where}: {key} must be a whole number >= {minimum}")
    return value


def _identifier(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise RetentionPolicyError(f"{where}: {key} must be a lower-case SQL identifier")
    return value


def _unknown(where: str, table: dict[str, Any], known: set[str]) -> None:
    extra = set(table) - known
    if extra:
        raise RetentionPolicyError(f"{where}: unknown keys {sorted(extra)}")


def _category(name: str, raw: dict[str, Any]) -> Category:
    where = f"categories.{name}"
    _unknown(
        where,
        raw,
        {"table", "timestamp", "where", "days", "min_days", "max_days", "configurable"},
    )
    for key in ("table", "timestamp", "days"):
        if key not in raw:
            raise RetentionPolicyError(f"{where}: missing {key}")
    condition = raw.get("where")
    if condition is not None and (not isinstance(condition, str) or ";" in condition):
        raise RetentionPolicyError(f"{where}: where must be one SQL condition")
    configurable = raw.get("configurable", True)
    if not isinstance(configurable, bool):
        raise RetentionPolicyError(f"{where}: configurable must be true or false")
    category = Category(
        name=_identifier(where, "name", name),
        table=_identifier(where, "table", raw["table"]),
        timestamp=_identifier(where, "timestamp", raw["timestamp"]),
        days=_whole(where, "days", raw["days"]),
        where=condition,
        min_days=_whole(where, "min_days", raw.get("min_days", 0)),
        max_days=_whole(where, "max_days", raw.get("max_days", 36500)),
        configurable=configurable,
    )
    if configurable and not category.min_days <= category.days <= category.max_days:
        raise RetentionPolicyError(f"{where}: days must lie between min_days and max_days")
    return category


def parse_policy(data: dict[str, Any], source: str = "<policy>") -> RetentionPolicy:
    try:
        _unknown("top level", data, {"categories", "instructions"})
        categories = {name: _category(name, raw) for name, raw in data["categories"].items()}
        raw = data["instructions"]
        _unknown("instructions", raw, {"export_days", "purge_batch_rows", "retained_tables"})
        retained = raw.get("retained_tables", {})
        for table, basis in retained.items():
            _identifier("instructions.retained_tables", "table", table)
            if not isinstance(basis, str) or not basis.strip():
                raise RetentionPolicyError(f"retained table {table} needs a basis")
        rules = InstructionRules(
            export_days=_whole("instructions", "export_days", raw["export_days"], 1),
            purge_batch_rows=_whole("instructions", "purge_batch_rows", raw["purge_batch_rows"], 1),
            retained_tables=MappingProxyType(dict(retained)),
        )
    except KeyError as exc:
        raise RetentionPolicyError(f"{source}: missing {exc}") from exc
    except RetentionPolicyError as exc:
        raise RetentionPolicyError(f"{source}: {exc}") from exc
    return RetentionPolicy(MappingProxyType(categories), rules)


def load_policy(path: Path = RETENTION_FILE) -> RetentionPolicy:
    with path.open("rb") as handle:
        return parse_policy(tomllib.load(handle), str(path))


@cache
def default_policy() -> RetentionPolicy:
    return load_policy()
