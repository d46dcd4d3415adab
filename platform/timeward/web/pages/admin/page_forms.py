"""What the client admin's pages share: the signed-in viewer, and a form read as the
JSON API's own request struct, so a page accepts exactly what its API twin accepts
(the constraints are written once, in the domain's ``schemas``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from timeward.errors import InvalidInput

T = TypeVar("T")
CSRF_FIELD = "_csrf_token"


def _field_of(error: msgspec.ValidationError) -> tuple[str, str]:
    """msgspec says ``Expected ... - at `$.reason``` or ``... field `reason```."""
    text = str(error)
    message, _, where = text.partition(" - at `$.")
    if where:
        return where.rstrip("`").split("[")[0], message
    if "`" in text:
        return text.split("`")[1], text
    return "form", text


def api_body(form: Mapping[str, Any], schema: type[T], **fixed: Any) -> T:
    """The form's fields as ``schema`` (the API's body struct). Blank fields are left out,
    so the API's default applies; a refused value is a 422 page naming the field."""
    values: dict[str, Any] = {}
    for key, value in form.items():
        text = value.strip() if isinstance(value, str) else value
        if key != CSRF_FIELD and text not in ("", None):
            values[key] = text
    values.update(fixed)
    try:
        return msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as error:
        field, message = _field_of(error)
        raise InvalidInput.on_field(field, message) from error
