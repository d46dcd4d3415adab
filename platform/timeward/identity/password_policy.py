"""What a new password must be: long, not common, not the person's address or tenant.

Applied wherever a person sets a password (invitation, change, reset). The common
passwords are data: ``policies/common_passwords.txt``.
"""

from __future__ import annotations

from functools import cache

from timeward.errors import InvalidInput
from timeward.paths import POLICY_DIR

MIN_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 4
COMMON_PASSWORDS_FILE = POLICY_DIR / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, email: str, tenant_slug: str | None) -> str | None:
    """Why ``password`` is refused, or None when it is acceptable."""
    lowered = password.lower()
    local_part = email.partition("@")[0].lower()
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters long."
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS or lowered in common_passwords():
        return "This password is too common or too simple; choose another."
    if len(local_part) >= 3 and local_part in lowered:
        return "The password must not contain your e-mail address."
    if tenant_slug and len(tenant_slug) >= 3 and tenant_slug.lower() in lowered:
        return "The password must not contain the company's name."
    return None


def check_new_password(
    password: str, email: str, tenant_slug: str | None, field: str = "password"
) -> None:
    """A 422 naming ``field`` when the password is refused."""
    problem = password_problem(password, email, tenant_slug)
    if problem is not None:
        raise InvalidInput.on_field(field, problem)
