"""The README's table "What the product promises, and where it is kept" names modules and
tests; each must exist, so the table cannot drift from the code it points at."""

from __future__ import annotations

import ast
import re

from tests.database import REPO_ROOT

SECTION = "## What the product promises, and where it is kept"
ROOTS = ("platform/", "tenants/", "tests/", "policies/")


def promise_rows() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and "---" not in line][
        1:
    ]


def named_paths(row: str) -> list[str]:
    """Every backticked path in a row; a bare file name continues the last folder named."""
    names = re.findall(r"`([^`]+)`", row)
    paths: list[str] = []
    folder = ""
    for name in names:
        if name.startswith(ROOTS):
            paths.append(name)
            folder = name.rsplit("/", 1)[0] if not name.endswith("/") else name.rstrip("/")
        elif folder and re.fullmatch(r"[\w/]+(\.py)?/?(::\w+)?", name):
            paths.append(f"{folder}/{name}")
    return paths


def test_the_table_has_rows() -> None:
    assert len(promise_rows()) >= 15


def test_every_module_and_test_the_table_names_exists() -> None:
    missing: list[str] = []
    for row in promise_rows():
        for path in named_paths(row):
            file, _, test = path.partition("::")
            target = REPO_ROOT / file
            if not target.exists() or (test and test not in defined_functions(target.read_text())):
                missing.append(path)
    assert not missing, f"the README's promise table names what does not exist: {missing}"


def test_every_row_names_a_test() -> None:
    unproved = [row for row in promise_rows() if "`tests/" not in row]
    assert not unproved, unproved


def defined_functions(source: str) -> set[str]:
    tree = ast.parse(source)
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
