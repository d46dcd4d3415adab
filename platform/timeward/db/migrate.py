"""Run Alembic migrations programmatically, as the owner role."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

REPO_ROOT = Path(__file__).resolve().parents[3]


def alembic_config(owner_url: str, app_role: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.attributes["owner_url"] = owner_url
    config.attributes["app_role"] = app_role
    return config


def upgrade_to_head(owner_url: str, app_role: str) -> None:
    command.upgrade(alembic_config(owner_url, app_role), "head")


@cache
def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("", ""))
    return script.get_current_head()
