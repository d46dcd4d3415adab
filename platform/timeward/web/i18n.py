"""Languages of the pages: gettext catalogues kept as Babel ``.po`` files under
``timeward/locale`` (compiled in memory at import, so nothing compiled is committed),
and the language of a request: the person's choice (a cookie set by the language
switch), else the best of the browser's Accept-Language, else English.

Every user-facing string of a template goes through ``_()`` or ``{% trans %}``
(``tests/web/test_translations.py`` fails on text outside them and on a German gap).
Texts that services write (the location explanation, request answers, mails) are
English for now.
"""

from __future__ import annotations

from collections.abc import Callable
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.core import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

# Jinja's own wrappers that make plain gettext functions "newstyle" (autoescaped,
# %-formatted with keyword arguments); public API only installs them environment-wide,
# and the language here is per request.
from jinja2.ext import _make_new_gettext, _make_new_ngettext

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = {"en": "English", "de": "Deutsch"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "timeward_lang"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined; translated where it is shown."""
    return message


def catalogue_paths(language: str) -> list[Path]:
    """A language's catalogue is kept in one ``.po`` file per area of the site
    (``messages.po`` for the employee and public pages, others for the consoles), so work
    on one area never edits another's file; they are merged at import."""
    return sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))


def read_catalogue(language: str) -> Catalog:
    merged = Catalog(locale=language, domain=DOMAIN)
    for path in catalogue_paths(language):
        with path.open("rb") as source:
            for message in read_po(source, locale=language):
                if message.id:
                    merged[message.id] = message
    return merged


def _compiled(language: str) -> NullTranslations:
    catalogue = read_catalogue(language)
    if not len(catalogue):
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


CATALOGUES = {language: _compiled(language) for language in LANGUAGES}


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


def language_of(chosen: str | None, accept_language: str) -> str:
    if chosen in LANGUAGES:
        return str(chosen)
    preferred = _preferred(accept_language)
    found = negotiate_locale(preferred, list(LANGUAGES))
    if found is None:  # "de_AT" and the like: the language alone
        found = negotiate_locale([tag.split("_")[0] for tag in preferred], list(LANGUAGES))
    return found or DEFAULT_LANGUAGE


def template_functions(language: str) -> dict[str, Callable[..., Any]]:
    """``_``, ``gettext`` and ``ngettext`` of one language, for a template's context."""
    catalogue = CATALOGUES.get(language, CATALOGUES[DEFAULT_LANGUAGE])
    gettext = _make_new_gettext(catalogue.gettext)
    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": _make_new_ngettext(catalogue.ngettext),
    }
