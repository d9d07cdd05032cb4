"""The layering rules of DESIGN.md, checked on the real import graph."""

from __future__ import annotations

import subprocess
import sys

import pytest

NON_UI_MODULES = [
    "salesboard.workflow",
    "salesboard.validation",
    "salesboard.errors",
    "salesboard.identity",
    "salesboard.store",
    "salesboard.service",
    "salesboard.service.demo",
    "salesboard.reports.source",
    "salesboard.reports.forecast",
    "salesboard.reports.funnel",
    "salesboard.reports.velocity",
    "salesboard.reports.stuck",
    "salesboard.reports.outcomes",
    "salesboard.reports.owners",
    "salesboard.reports.digest",
]


def _imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", NON_UI_MODULES)
def test_domain_store_and_service_never_import_textual(module: str) -> None:
    loaded = _imported_after(module)
    assert module in loaded
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_workflow_is_pure() -> None:
    loaded = _imported_after("salesboard.workflow")
    forbidden = {"sqlalchemy", "sqlmodel", "textual", "rich", "alembic", "sqlite3"}
    assert not {m.split(".")[0] for m in loaded} & forbidden
