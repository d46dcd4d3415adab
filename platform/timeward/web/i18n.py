"""Languages of the pages: gettext catalogues kept as Babel ``.po`` files under
``timeward/locale`` (compiled in memory at import, so nothing compiled is committed),
and the language of a request: the person's choice (a cookie set by the language
switch, or remembered for the signed-in person), else the best of the browser's
Accept-Language among the languages the tenant offers, else the tenant's default. The
catalogues themselves are loaded by ``timeward.translations``.

Every user-facing string of a template goes through ``_()`` or ``{% trans %}``
(``tests/web/test_translations.py`` fails on text outside them and on a German gap).
Texts that services write come through ``timeward.translations.Translator``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from babel.core import negotiate_locale

# Jinja's own wrappers that make plain gettext functions "newstyle" (autoescaped,
# %-formatted with keyword arguments); public API only installs them environment-wide,
# and the language here is per request.
from jinja2.ext import _make_new_gettext, _make_new_ngettext

from timeward.translations import (
    CATALOGUES,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    read_catalogue,
)

__all__ = ["CATALOGUES", "LANGUAGES", "LANGUAGE_COOKIE", "N_", "language_of", "read_catalogue"]

LANGUAGE_COOKIE = "timeward_lang"


def _preferred(accept_language: str) -> list[str]:
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, position, tag.replace("-", "_")))
    return [tag for _, _, tag in sorted(ranked)]


def language_of(
    chosen: str | None,
    accept_language: str,
    offered: Iterable[str] = LANGUAGES,
    default: str = DEFAULT_LANGUAGE,
) -> str:
    """The person's choice, else the browser's best among the ``offered`` languages (the
    tenant's), else the ``default`` (the tenant's)."""
    available = [language for language in offered if language in LANGUAGES]
    if chosen in available:
        return str(chosen)
    preferred = _preferred(accept_language)
    found = negotiate_locale(preferred, available)
    if found is None:  # "de_AT" and the like: the language alone
        found = negotiate_locale([tag.split("_")[0] for tag in preferred], available)
    return found or (default if default in available else DEFAULT_LANGUAGE)


def template_functions(language: str) -> dict[str, Callable[..., Any]]:
    """``_``, ``gettext`` and ``ngettext`` of one language, for a template's context."""
    catalogue = CATALOGUES.get(language, CATALOGUES[DEFAULT_LANGUAGE])
    gettext = _make_new_gettext(catalogue.gettext)
    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": _make_new_ngettext(catalogue.ngettext),
    }
