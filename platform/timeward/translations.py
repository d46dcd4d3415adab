"""The languages Timeward speaks, for pages and for what services write (mails, the
location explanation, request answers and timelines).

Catalogues are Babel ``.po`` files under ``timeward/locale/<language>/LC_MESSAGES``, one
per area (``messages.po`` for the employee and public pages, ``mails.po`` for what
services write, others for the consoles), merged and compiled in memory at import, so
nothing compiled is committed. English is the source text.

Services never pick a language: they mark their English with ``N_`` and write it through
a :class:`Translator` the caller gives them (the page's language, or the recipient's for
a mail, see ``recipient_language``); ``ENGLISH`` where nobody is addressed (the API, the
audit). Why: docs/web.md, "Languages".
"""

from __future__ import annotations

from dataclasses import dataclass
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "de": "Deutsch"}
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined; translated where it is shown."""
    return message


def catalogue_paths(language: str) -> list[Path]:
    """A language's catalogue is kept in one ``.po`` file per area, so work on one area
    never edits another's file; they are merged at import."""
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


@dataclass(frozen=True)
class Translator:
    """``t(N_("... %(name)s ..."), name=value)``: the text in one language, then filled."""

    language: str

    def __call__(self, message: str, **values: object) -> str:
        text = CATALOGUES.get(self.language, CATALOGUES[DEFAULT_LANGUAGE]).gettext(message)
        return text % values if values else text

    def plural(self, singular: str, plural: str, count: int, **values: object) -> str:
        catalogue = CATALOGUES.get(self.language, CATALOGUES[DEFAULT_LANGUAGE])
        return catalogue.ngettext(singular, plural, count) % {"count": count, **values}


def translator(language: str | None) -> Translator:
    return Translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)


ENGLISH = Translator(DEFAULT_LANGUAGE)
