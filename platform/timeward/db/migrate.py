"""Run Alembic migrations programmatically, as the owner role."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from timeward.paths import ALEMBIC_INI, MIGRATIONS_DIR


def alembic_config(owner_url: str, app_role: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["owner_url"] = owner_url
    config.attributes["app_role"] = app_role
    return config


def upgrade_to_head(owner_url: str, app_role: str) -> None:
    command.upgrade(alembic_config(owner_url, app_role), "head")


@cache
def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("", ""))
    return script.get_current_head()
