"""Every user-facing string of the pages goes through gettext, and German is complete.

A template fails when it holds text outside ``{% trans %}`` or ``_()``; the German
catalogue fails when a string the templates, the page modules or the services that write
to employees (their mails, the location explanation, request answers and timelines) mark
lacks a translation.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import extract_from_dir

import tenants
from tests.accounts import Accounts
from tests.web.pages import page_client, sign_in, submit
from timeward.web.auth_routes import RESET_ANSWER
from timeward.web.i18n import LANGUAGES, language_of, read_catalogue
from timeward.web.site import TEMPLATES

PACKAGE = TEMPLATES.parent
TENANTS = Path(next(iter(tenants.__path__)))
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# What employees and requesters receive from services: their mails (privacy requests,
# invitations, password resets), the location explanation, request answers and timelines.
SERVICE_TEXTS = {
    PACKAGE: [
        "identity/links.py",
        "identity/invitations.py",
        "identity/credentials.py",
        "mail/messages.py",
        "privacy_notice/messages.py",
    ],
    TENANTS: ["privacy_requests/messages.py", "settings/service.py"],
}
METHODS = {
    PACKAGE: [
        ("templates/**.html", "jinja2.ext:babel_extract"),
        ("web/pages/**.py", "python"),
        *((path, "python") for path in SERVICE_TEXTS[PACKAGE]),
    ],
    TENANTS: [(path, "python") for path in SERVICE_TEXTS[TENANTS]],
}
NOT_WORDS = {"Timeward", "UTC"}  # the product's name and the time zone's
SKIPPED = [
    r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}",
    r"{#.*?#}",
    r"{{.*?}}",
    r"{%.*?%}",
    r"<script\b.*?</script>",
    r"<[^>]*>",
    r"&\w+;",
]


def marked_messages(methods: dict[Path, list[tuple[str, str]]] = METHODS) -> set[str]:
    found = set()
    for root, patterns in methods.items():
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), patterns, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_service_texts_are_marked() -> None:
    """The check above would pass vacuously if the service modules marked nothing."""
    marked = marked_messages(
        {root: [(p, "python") for p in paths] for root, paths in SERVICE_TEXTS.items()}
    )
    assert {
        "Reset your Timeward password",
        "Your Timeward invitation",
        "The reason %(controller)s gives:",
        "Your employer does not use your location: none is collected when you clock in or out.",
        "%(controller)s refused your request. The reason: %(reason)s",
    } <= marked


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_have_no_text_outside_translation_calls(template: Path) -> None:
    text = template.read_text()
    for pattern in SKIPPED:
        text = re.sub(pattern, " ", text, flags=re.DOTALL)
    words = set(re.findall(r"[^\W\d_]{2,}", text)) - NOT_WORDS
    assert words == set(), f"{template.name}: text outside {{% trans %}} or _(): {words}"


def test_the_german_catalogue_translates_every_marked_string() -> None:
    catalogue = read_catalogue("de")
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id
        and not message.fuzzy
        and all(message.string or ())
        and (message.string if isinstance(message.string, str) else all(message.string))
    }
    missing = sorted(marked_messages() - translated)
    assert missing == [], f"add German for: {missing}"
    assert set(LANGUAGES) == {"en", "de"}


@pytest.mark.parametrize(
    ("chosen", "header", "language"),
    [
        (None, "", "en"),
        (None, "de-DE,de;q=0.9,en;q=0.8", "de"),
        (None, "fr-FR,fr;q=0.9,de;q=0.5", "de"),
        (None, "de-AT", "de"),
        (None, "fr", "en"),
        ("en", "de", "en"),
        ("xx", "de", "de"),
    ],
)
def test_the_language_is_the_choice_else_the_browsers_else_english(
    chosen: str | None, header: str, language: str
) -> None:
    assert language_of(chosen, header) == language


@pytest.mark.parametrize(
    ("chosen", "header", "offered", "default", "language"),
    [
        (None, "", ("en", "de"), "de", "de"),  # nothing said: the tenant's default
        (None, "en-GB,en;q=0.9", ("en", "de"), "de", "en"),  # the browser's, offered
        ("en", "en", ("de",), "de", "de"),  # neither choice nor browser among the offered
        (None, "fr, de;q=0.1", ("en", "de"), "en", "de"),
        ("de", "en", ("en", "de"), "en", "de"),  # the choice first
    ],
)
def test_only_the_tenants_languages_are_spoken_and_its_default_last(
    chosen: str | None, header: str, offered: tuple[str, ...], default: str, language: str
) -> None:
    assert language_of(chosen, header, offered, default) == language


async def test_pages_speak_the_browsers_language_until_the_person_chooses(
    live_server: str, client: httpx.AsyncClient, acme: Accounts
) -> None:
    async with page_client(live_server) as browser:
        browser.headers["accept-language"] = "de-DE,de;q=0.9,en;q=0.5"
        sign_in_page = await browser.get("/sign-in")
        assert '<html lang="de">' in sign_in_page.text and "Anmelden" in sign_in_page.text
        await sign_in(browser, acme.email("employee"), "acme")
        home = await browser.get("/home")
        assert "Meine Datenschutzanfragen" in home.text and "Abmelden" in home.text
        chosen = await submit(browser, "/home", "/language", {"language": "en", "back": "/home"})
        assert chosen.status_code == 303 and chosen.headers["location"] == "/home"
        home = await browser.get("/home")
        assert '<html lang="en">' in home.text and "My privacy requests" in home.text


async def test_the_reset_page_says_what_the_api_says(live_server: str, db: object) -> None:
    async with page_client(live_server, "127.0.0.44") as browser:
        fields = {"email": "someone@example.com", "tenant": "acme"}
        answer = await submit(browser, "/forgot-password", "/forgot-password", fields)
    assert RESET_ANSWER in answer.text
