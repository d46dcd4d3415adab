"""Page forms posted as plain strings and read by the API's own request structs, so a
field's rules are the API's and so is the status: what the struct refuses is a 400 naming
the field (the API's request validation), what a service refuses keeps its own status. A
form that can show itself again turns the refusal into a ``Problem`` above its fields
(``templates/admin/_problem.html``); any other page answers with the error page. One
reader for every console: docs/web.md, "Forms"."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from timeward.errors import Conflict, DomainError, InvalidInput
from timeward.web.i18n import N_

T = TypeVar("T")
CSRF_FIELD = "_csrf_token"
WHERE = re.compile(r" - at `\$\.([\w.\[\]]+)`")
# msgspec's refusals in plain words (translated); any other message is shown as it is.
PLAIN = [
    (re.compile(r"^Expected `str` of length >= 1$"), N_("This field is required.")),
    (re.compile(r"^Expected `str` of length >= (\d+)$"), N_("At least %(n)s characters.")),
    (re.compile(r"^Expected `str` of length <= (\d+)$"), N_("At most %(n)s characters.")),
    (re.compile(r"^Expected `str` matching regex"), N_("This is not in the expected form.")),
    (re.compile(r"^Expected `(?:int|float)` >= (-?[\d.]+)$"), N_("At least %(n)s.")),
    (re.compile(r"^Expected `(?:int|float)` <= (-?[\d.]+)$"), N_("At most %(n)s.")),
    (re.compile(r"^Expected `int`, got"), N_("A whole number, please.")),
    (re.compile(r"^Expected `float`, got"), N_("A number, please.")),
    (re.compile(r"^Invalid RFC3339 encoded date"), N_("A date as YYYY-MM-DD, please.")),
    (re.compile(r"^(?:Invalid enum value|Invalid UUID)"), N_("Choose one of the options.")),
    (
        re.compile(r"^Object missing required field"),
        N_("Give all of its values, or leave them all empty."),
    ),
]


@dataclass(frozen=True)
class Problem:
    """Why a form was refused: the field at fault (if one), the message, the status."""

    message: str
    field: str | None = None
    status: int = 400
    params: dict[str, str] | None = None  # set: the message is ours, to translate with these


class FormRefused(DomainError):
    """A value the API's request struct refuses: a 400 naming the field, as the API says it
    (a page that does not show its form again answers with the error page)."""

    def __init__(self, problem: Problem, detail: str) -> None:
        errors = [{"key": problem.field, "message": detail, "source": "body"}]
        super().__init__(
            f"Invalid {problem.field}: {detail}" if problem.field else detail,
            errors=errors if problem.field else None,
        )
        self.status_code = problem.status
        self.problem = problem


def located(exc: msgspec.ValidationError) -> tuple[str | None, str]:
    """msgspec's refusal as (field, message): ``... - at `$.reason``` or ``... field `reason```."""
    text = str(exc)
    where = WHERE.search(text)
    if where:
        return where.group(1).split(".")[-1].split("[")[0], WHERE.sub("", text)
    named = text.split("`")
    return (named[1] if len(named) > 2 else None), text


def problem_of(exc: Exception) -> Problem:
    """The API's refusal, for the form: msgspec's message and path, or the service's."""
    if isinstance(exc, FormRefused):
        return exc.problem
    assert isinstance(exc, DomainError)
    errors = exc.extra.get("errors")
    field = None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        field = str(errors[0].get("key"))
    return Problem(exc.detail, field, exc.status_code)


def _plain(problem: Problem) -> Problem:
    for pattern, words in PLAIN:
        found = pattern.search(problem.message)
        if found:
            params = {"n": found.group(1).removesuffix(".0")} if pattern.groups else {}
            return Problem(words, problem.field, problem.status, params)
    return problem


def read_form(values: Mapping[str, Any], schema: type[T]) -> T:
    """The API's request struct from a form's values (strings converted as the API would
    read them); a value it refuses raises ``FormRefused`` naming the field."""
    try:
        return msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as exc:
        field, message = located(exc)
        raise FormRefused(_plain(Problem(message, field, 400)), message) from exc


def api_body(form: Mapping[str, Any], schema: type[T], **fixed: Any) -> T:
    """The posted fields as ``schema`` (the API's body struct). Blank fields are left out,
    so the API's default applies, and the CSRF token is not a field of the body."""
    values: dict[str, Any] = {}
    for key, value in form.items():
        text = value.strip() if isinstance(value, str) else value
        if key != CSRF_FIELD and text not in ("", None):
            values[key] = text
    return read_form({**values, **fixed}, schema)


# Refusals a form answers by showing itself again; NotFound is not one (a 404 page).
FORM_ERRORS = (FormRefused, Conflict, InvalidInput)


def optional(value: str) -> str | None:
    """An empty (or blank) field is null, as the API's optional fields take it."""
    return value.strip() or None


def utc_instant(value: str) -> str:
    """A ``datetime-local`` field (minutes, no zone) is read as UTC, as the form says."""
    value = value.strip()
    if len(value) == len("2026-01-31T09:30") and "T" in value:
        return f"{value}:00+00:00"
    return value


def checked(value: str) -> bool:
    """A checkbox is sent as "on" when ticked, and not at all otherwise."""
    return value == "on"
