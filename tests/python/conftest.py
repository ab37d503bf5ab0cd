from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The public test data, vendored with its licences and provenance (tests/data/*/README.md).
PUBLIC_DATA = ROOT / "tests" / "data"

CHILDREN_HEADER = "child_id,date_of_birth,care_start,care_end,legal_status\n"
ASSESSMENTS_HEADER = "child_id,assessment_type,completed_on,modality,outcome\n"


@pytest.fixture(autouse=True)
def _no_pseudonymisation_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key in the developer's environment would pseudonymise every export (docs/privacy.md):
    tests that want one set it themselves."""
    monkeypatch.delenv("LAC_BACKLOG_PSEUDONYMISE_KEY", raising=False)


@pytest.fixture
def write_cohort(tmp_path: Path) -> Callable[..., tuple[Path, Path]]:
    """Write a children and an assessments CSV from row text; returns their paths."""

    def write(
        children: str,
        assessments: str = "",
        *,
        children_header: str = CHILDREN_HEADER,
        assessments_header: str = ASSESSMENTS_HEADER,
    ) -> tuple[Path, Path]:
        c = tmp_path / "children.csv"
        a = tmp_path / "assessments.csv"
        c.write_text(children_header + children, encoding="utf-8")
        a.write_text(assessments_header + assessments, encoding="utf-8")
        return c, a

    return write


def run_cli(*args: str, script: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would: the installed script, or `python -m lac_backlog`."""
    if script:
        cmd = [str(Path(sys.executable).parent / "lac-backlog"), *args]
    else:
        cmd = [sys.executable, "-m", "lac_backlog", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
