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
from datetime import UTC, date, datetime
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_datetime
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
DAY_PATTERNS = {"en": "d MMMM y", "de": "d. MMMM y"}  # "4 December 2026", "4. Dezember 2026"


@dataclass(frozen=True)
class Translator:
    """``t(N_("... %(name)s ..."), name=value)``: the text in one language, then filled."""

    language: str

    def __call__(self, message: str, **values: object) -> str:
        text = CATALOGUES.get(self.language, CATALOGUES[DEFAULT_LANGUAGE]).gettext(message)
        return text % values if values else text

    def day(self, value: date) -> str:
        """A date in words of this language."""
        return format_date(value, DAY_PATTERNS[self.language], locale=self.language)

    def utc_moment(self, value: datetime) -> str:
        """An instant in UTC, the zone named (mails: the reader's zone is not known)."""
        pattern = f"{DAY_PATTERNS[self.language]} HH:mm 'UTC'"
        return format_datetime(value, pattern, tzinfo=UTC, locale=self.language)


def translator(language: str | None) -> Translator:
    return Translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)


ENGLISH = Translator(DEFAULT_LANGUAGE)


@dataclass(frozen=True)
class Phrase:
    """A text kept to be said later in the reader's language: its English source (marked
    with ``N_``) and the values it is filled with (strings, so they can be stored). A
    value whose name ends in ``day`` is an ISO date, written out in the reader's words."""

    message: str
    values: dict[str, str]

    def __call__(self, t: Translator) -> str:
        values = {
            name: t.day(date.fromisoformat(value)) if name.endswith("day") else value
            for name, value in self.values.items()
        }
        return t(self.message, **values)

    @property
    def english(self) -> str:
        return self(ENGLISH)


def phrase(message: str, **values: str) -> Phrase:
    return Phrase(message, values)
