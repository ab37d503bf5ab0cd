"""The README's Python examples and the package's docstring examples run as tests."""

from __future__ import annotations

import doctest
from pathlib import Path

import lac_backlog
import lac_backlog._results
import lac_backlog.cli
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_readme_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the examples use paths relative to the repository root
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0


@pytest.mark.parametrize("module", [lac_backlog, lac_backlog._results, lac_backlog.cli])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.failed == 0


def test_readme_validate_transcript_is_true(monkeypatch: pytest.MonkeyPatch) -> None:
    """The `validate` transcript in the README is what the program prints."""
    from conftest import run_cli

    monkeypatch.chdir(ROOT)
    r = run_cli("validate", "--children", "examples/bad_children.csv", "--assessments", "examples/bad_assessments.csv")
    text = (ROOT / "README.md").read_text()
    block = text.split("$ lac-backlog validate", 1)[1].split("```", 1)[0]
    expected = block.split("\n", 1)[1]
    assert r.stdout + r.stderr == expected
