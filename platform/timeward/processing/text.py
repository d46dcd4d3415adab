"""The static text of the records of processing, loaded from ``policies/processing.toml``.

Validated on load: an unknown or missing key, an empty list or a non-string fails with
the file and the entry named, so a typo cannot silently drop a measure.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from timeward.paths import POLICY_DIR

PROCESSING_FILE = POLICY_DIR / "processing.toml"


class ProcessingTextError(ValueError):
    """The processing policy file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class Category:
    name: str
    purpose: str
    data_subjects: tuple[str, ...]
    personal_data: tuple[str, ...]


@dataclass(frozen=True)
class Measures:
    area: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class ProcessingText:
    categories: tuple[Category, ...]
    measures: tuple[Measures, ...]


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProcessingTextError(f"{where} must be non-empty text.")
    return value.strip()


def _texts(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ProcessingTextError(f"{where} must be a non-empty list of text.")
    return tuple(_text(item, f"{where}[{i}]") for i, item in enumerate(value))


def _entries(data: dict[str, Any], table: str, keys: tuple[str, ...], source: str) -> list[Any]:
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        raise ProcessingTextError(f"{source}: at least one [[{table}]] is required.")
    for n, entry in enumerate(entries):
        where = f"{source}: [[{table}]] #{n + 1}"
        if not isinstance(entry, dict):
            raise ProcessingTextError(f"{where} must be a table.")
        unknown, missing = sorted(set(entry) - set(keys)), sorted(set(keys) - set(entry))
        if unknown or missing:
            raise ProcessingTextError(
                f"{where}: unknown key(s) {unknown or '-'}, missing key(s) {missing or '-'}."
            )
    return entries


def parse_processing_text(data: dict[str, Any], source: str = "<processing>") -> ProcessingText:
    unknown = sorted(set(data) - {"categories", "measures"})
    if unknown:
        raise ProcessingTextError(f"{source}: unknown table(s) {', '.join(unknown)}.")
    category_keys = ("name", "purpose", "data_subjects", "personal_data")
    categories = tuple(
        Category(
            _text(c["name"], f"{source}: categories.name"),
            _text(c["purpose"], f"{source}: categories.purpose"),
            _texts(c["data_subjects"], f"{source}: categories.data_subjects"),
            _texts(c["personal_data"], f"{source}: categories.personal_data"),
        )
        for c in _entries(data, "categories", category_keys, source)
    )
    measures = tuple(
        Measures(
            _text(m["area"], f"{source}: measures.area"),
            _texts(m["items"], f"{source}: measures.items"),
        )
        for m in _entries(data, "measures", ("area", "items"), source)
    )
    return ProcessingText(categories, measures)


def load_processing_text(path: Path = PROCESSING_FILE) -> ProcessingText:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ProcessingTextError(f"Cannot read {path}: {error}.") from error
    return parse_processing_text(data, str(path))


_loaded: dict[Path, tuple[int, ProcessingText]] = {}


def current_processing_text(path: Path = PROCESSING_FILE) -> ProcessingText:
    """The file as it is now: re-read when it changes, so an edit needs no restart."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        raise ProcessingTextError(f"Cannot read {path}: {error}.") from error
    cached = _loaded.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_processing_text(path))
        _loaded[path] = cached
    return cached[1]
