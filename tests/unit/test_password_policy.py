"""The password policy: no common password, nothing made of the person's address or
company (pure logic; tests/identity/test_passwords.py checks it over HTTP)."""

from __future__ import annotations

import pytest

from timeward.identity.password_policy import password_problem


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("aaaaaaaaaaaa", True),
        ("Password1234", True),
        ("qwertyuiop123", True),
        ("short", True),
        ("i am ada.lovelace at work", True),  # the address's local part
        ("globex forever and ever", True),  # the tenant
        ("correct horse battery staple", False),
    ],
)
def test_password_policy(password: str, refused: bool) -> None:
    problem = password_problem(password, "ada.lovelace@example.test", "globex")
    assert (problem is not None) == refused
