"""Privacy (issue 9, docs/privacy.md): pseudonymised exports hold no child_id and no full date of
birth; the key never comes from the command line; --hide-values keeps data values out of
problem messages and the problems table."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import os
import pickle
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import lac_backlog as lb
import lac_backlog._audit
import lac_backlog._privacy
import pytest
from conftest import ROOT, run_cli
from lac_backlog._privacy import (
    DOB_MONTH_FORM,
    HIDDEN_VALUE,
    KEY_ENV,
    MIN_KEY_BYTES,
    OVERRIDE_REASON_WITHHELD,
    PSEUDONYM_HEX_CHARS,
    PSEUDONYM_PREFIX,
    dob_month,
    reduce_birth_dates,
)

EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS = lb.example_paths()
AS_OF = "2021-10-21"
BAD_CHILDREN = ROOT / "examples" / "bad_children.csv"
BAD_ASSESSMENTS = ROOT / "examples" / "bad_assessments.csv"
PSEUDONYM_RE = re.compile(rf"^{re.escape(PSEUDONYM_PREFIX)}[0-9a-f]{{{PSEUDONYM_HEX_CHARS}}}$")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _children() -> list[dict[str, str]]:
    return _csv_rows(Path(EXAMPLE_CHILDREN))


def _birthday(dob: dt.date, age: int) -> dt.date:
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:  # 29 February: the policy's default anniversary is 1 March
        return dt.date(dob.year + age, 3, 1)


def _dob_strings(dob_text: str) -> set[str]:
    """A child's full date of birth, and the birthdays from which it can be read back (the
    schedule quotes the 5th and 18th)."""
    dob = dt.date.fromisoformat(dob_text)
    return {dob.isoformat()} | {_birthday(dob, age).isoformat() for age in (5, 17, 18)}


def _cells(path: Path) -> Iterator[tuple[int, str, str]]:
    """(row number, column, text) of every cell of a CSV or xlsx export."""
    if path.suffix == ".xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        ws = openpyxl.load_workbook(path).active
        header = [c.value for c in ws[1]]
        for i, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=1):
            for name, v in zip(header, row):
                text = "" if v is None else (v.date().isoformat() if isinstance(v, dt.datetime) else str(v))
                yield i, str(name), text
    else:
        for i, row in enumerate(_csv_rows(path), start=1):
            for name, v in row.items():
                yield i, name, v


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    p = tmp_path / "pseudonymise.key"
    p.write_text(secrets.token_hex(32) + "\n")
    return p


def _assert_no_child_id_or_dob(path: Path, key: lb.PseudonymKey) -> int:
    """Scan every cell: no cell is a child's id, every child_id is a pseudonym, and no row
    holds its child's full date of birth or a birthday it could be read back from."""
    children = _children()
    ids = {c["child_id"] for c in children}
    by_pseudonym = {key.pseudonym(c["child_id"]): c for c in children}
    rows: dict[int, dict[str, str]] = {}
    for i, name, text in _cells(path):
        rows.setdefault(i, {})[name] = text
        assert text not in ids, f"row {i}, column {name}: a child_id ({text!r})"
    assert rows, "the export has rows"
    for i, row in rows.items():
        pseudonym = row["Child ID"] if "Child ID" in row else row["child_id"]  # the nurse's workbook, or CSV
        assert PSEUDONYM_RE.match(pseudonym), pseudonym
        child = by_pseudonym[pseudonym]
        for text in row.values():
            for dob in _dob_strings(child["date_of_birth"]):
                assert dob not in text, f"row {i}: full date of birth or birthday {dob} in {text!r}"
    return len(rows)


@pytest.mark.parametrize(
    "command,out_name", [("status", "status.csv"), ("triage", "worklist.csv"), ("triage", "worklist.xlsx")]
)
def test_pseudonymised_export_has_no_child_id_and_no_full_date_of_birth(
    command: str, out_name: str, tmp_path: Path, key_file: Path
) -> None:
    out = tmp_path / out_name
    r = run_cli(
        command,
        "--children",
        EXAMPLE_CHILDREN,
        "--assessments",
        EXAMPLE_ASSESSMENTS,
        "--as-of",
        AS_OF,
        "--pseudonymise-key-file",
        str(key_file),
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    n = _assert_no_child_id_or_dob(out, lb.PseudonymKey.from_file(key_file))
    assert n == (
        40
        if command == "status"
        else len(lb.triage(lb.Cohort.from_csv(EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS), as_of=AS_OF))
    )
    manifest = (tmp_path / (out_name + ".manifest.json")).read_text()
    assert key_file.read_text().strip() not in manifest
    assert not any(f'"{c["child_id"]}"' in manifest for c in _children())


def test_the_example_quotes_an_18th_birthday_that_pseudonymisation_reduces(tmp_path: Path, key_file: Path) -> None:
    """The scan above is not vacuous: the plain export does hold a birthday in a reason."""
    plain = lb.status(lb.Cohort.from_csv(EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS), as_of=AS_OF)
    reasons = [r for r in plain.column("reason") if "birthday (" in r]
    assert reasons and re.search(r"birthday \(\d{4}-\d{2}-\d{2}\)", reasons[0])
    ps = plain.pseudonymised(lb.PseudonymKey.from_file(key_file))
    reduced = [r for r in ps.column("reason") if "birthday (" in r]
    assert len(reduced) == len(reasons) and re.search(r"birthday \(\d{4}-\d{2}\)$", reduced[0])


def test_same_key_same_output_different_key_different_ids(tmp_path: Path, key_file: Path) -> None:
    other = tmp_path / "other.key"
    other.write_text(secrets.token_hex(32))
    outs = []
    for i, k in enumerate((key_file, key_file, other)):
        out = tmp_path / f"worklist{i}.csv"
        r = run_cli(
            "triage",
            "--children",
            EXAMPLE_CHILDREN,
            "--assessments",
            EXAMPLE_ASSESSMENTS,
            "--as-of",
            AS_OF,
            "--pseudonymise-key-file",
            str(k),
            "--out",
            str(out),
        )
        assert r.returncode == 0, r.stderr
        outs.append(out)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    ids0 = [r["child_id"] for r in _csv_rows(outs[0])]
    ids2 = [r["child_id"] for r in _csv_rows(outs[2])]
    assert len(ids0) == len(ids2) and not set(ids0) & set(ids2)
    # Everything but the ids is the same: pseudonymisation changes no decision.
    strip = [{k: v for k, v in r.items() if k != "child_id"} for r in _csv_rows(outs[0])]
    assert strip == [{k: v for k, v in r.items() if k != "child_id"} for r in _csv_rows(outs[2])]


def test_the_environment_variable_gives_the_same_pseudonyms_as_the_key_file(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_file = run_cli(
        "status",
        "--children",
        EXAMPLE_CHILDREN,
        "--assessments",
        EXAMPLE_ASSESSMENTS,
        "--as-of",
        AS_OF,
        "--pseudonymise-key-file",
        str(key_file),
    )
    monkeypatch.setenv(KEY_ENV, key_file.read_text())
    from_env = run_cli("status", "--children", EXAMPLE_CHILDREN, "--assessments", EXAMPLE_ASSESSMENTS, "--as-of", AS_OF)
    assert from_file.returncode == from_env.returncode == 0
    assert from_env.stdout == from_file.stdout and "ps_" in from_env.stdout
    # Aggregates are never child-level: kpi ignores the key.
    k = run_cli("kpi", "--children", EXAMPLE_CHILDREN, "--assessments", EXAMPLE_ASSESSMENTS, "--as-of", AS_OF)
    assert k.returncode == 0 and "ps_" not in k.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--pseudonymise-key", "SECRET-KEY-ON-THE-COMMAND-LINE-0123456789"],
        ["--pseudonymise-key=SECRET-KEY-ON-THE-COMMAND-LINE-0123456789"],
        ["--pseudonymize-key", "SECRET-KEY-ON-THE-COMMAND-LINE-0123456789"],
        ["--key", "SECRET-KEY-ON-THE-COMMAND-LINE-0123456789"],
    ],
)
@pytest.mark.parametrize("command", ["status", "triage", "validate", "kpi"])
def test_a_key_on_the_command_line_is_refused_and_not_repeated(command: str, args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    r = run_cli(command, "--children", EXAMPLE_CHILDREN, "--assessments", EXAMPLE_ASSESSMENTS, "--out", str(out), *args)
    assert r.returncode == 2
    assert "never taken on the command line" in r.stderr
    assert "SECRET-KEY" not in r.stdout + r.stderr
    assert not out.exists()


def test_no_option_takes_a_key_value() -> None:
    """The only key option names a file; every other option with 'key' in it refuses."""
    from lac_backlog import cli

    cli._parser()
    for name, p in cli._SUBPARSERS.items():
        for action in p._actions:
            if any("key" in o for o in action.option_strings):
                assert action.dest == "pseudonymise_key_file" or isinstance(action, cli._RejectKey), (name, action)


@pytest.mark.parametrize("key_text,message", [("", "is empty"), ("\n", "is empty"), ("short key", "at least 32")])
def test_an_empty_or_short_key_is_a_usage_error(
    key_text: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kf = tmp_path / "k"
    kf.write_text(key_text)
    out = tmp_path / "status.csv"
    r = run_cli(
        "status",
        "--children",
        EXAMPLE_CHILDREN,
        "--assessments",
        EXAMPLE_ASSESSMENTS,
        "--pseudonymise-key-file",
        str(kf),
        "--out",
        str(out),
    )
    assert r.returncode == 2 and message in r.stderr and not out.exists()
    monkeypatch.setenv(KEY_ENV, key_text)
    r = run_cli("status", "--children", EXAMPLE_CHILDREN, "--assessments", EXAMPLE_ASSESSMENTS, "--out", str(out))
    assert r.returncode == 2 and message in r.stderr and KEY_ENV in r.stderr and not out.exists()
    r = run_cli(
        "status",
        "--children",
        EXAMPLE_CHILDREN,
        "--assessments",
        EXAMPLE_ASSESSMENTS,
        "--pseudonymise-key-file",
        str(tmp_path / "no-such-file"),
    )
    assert r.returncode == 2 and "no-such-file" not in r.stderr


def _bad_values() -> set[str]:
    """Every non-blank data value of the two bad example files."""
    values = set()
    for path in (BAD_CHILDREN, BAD_ASSESSMENTS):
        for row in _csv_rows(path):
            values |= {v for v in row.values() if v}
    return values


def _token_in(value: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text) is not None


@pytest.mark.parametrize("command", ["validate", "status", "triage", "kpi"])
def test_hide_values_leaves_no_value_of_a_bad_file_in_messages_or_the_problems_table(
    command: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    base = [command, "--children", str(BAD_CHILDREN), "--assessments", str(BAD_ASSESSMENTS), "--out", str(out)]
    shown = run_cli(*base)
    assert shown.returncode == 1
    plain = shown.stderr + (out.read_text() if out.exists() else "")
    values = _bad_values()
    leaked_without = {v for v in values if _token_in(v, plain)}
    assert {"2015-02-30", "44", "2019-11-30", "2020-03-02", "0199"} <= leaked_without  # the test can fail
    out.unlink(missing_ok=True)
    hidden = run_cli(*base, "--hide-values")
    assert hidden.returncode == 1
    text = hidden.stderr + (out.read_text() if out.exists() else "")
    assert HIDDEN_VALUE in text
    assert not {v for v in values if _token_in(v, text)}
    # Still enough to fix the data: file, line and column of each problem.
    assert (
        f"{BAD_CHILDREN}, line 3, column date_of_birth" in hidden.stderr or "bad_children.csv,3,date_of_birth" in text
    )
    if command == "validate":
        problems = _csv_rows(out)
        assert [(p["line"], p["column"]) for p in problems] == [
            ("3", "date_of_birth"),
            ("4", "sdq_score"),
            ("4", "care_end"),
            ("3", "child_id"),
        ]
        assert {p["value"] for p in problems} == {HIDDEN_VALUE}


def test_pseudonymised_problems_table_hides_child_ids_and_reduces_dates_of_birth(
    tmp_path: Path, key_file: Path
) -> None:
    out = tmp_path / "problems.csv"
    r = run_cli(
        "validate",
        "--children",
        str(BAD_CHILDREN),
        "--assessments",
        str(BAD_ASSESSMENTS),
        "--pseudonymise-key-file",
        str(key_file),
        "--out",
        str(out),
    )
    assert r.returncode == 1
    by_column = {p["column"]: p["value"] for p in _csv_rows(out)}
    assert by_column["child_id"] == lb.PseudonymKey.from_file(key_file).pseudonym("0199")
    assert by_column["date_of_birth"] == "2015-02"  # even an impossible date keeps only its month
    assert "0199" not in out.read_text() and "2015-02-30" not in out.read_text()


def test_unapplied_override_warning_with_hidden_values(tmp_path: Path) -> None:
    ovr = tmp_path / "overrides.csv"
    ovr.write_text("child_id,tier,reason,decided_by,decided_on\n0020,P1,worried,Dr Jones,2021-10-20\n")
    base = [
        "triage",
        "--children",
        EXAMPLE_CHILDREN,
        "--assessments",
        EXAMPLE_ASSESSMENTS,
        "--as-of",
        AS_OF,
        "--overrides",
        str(ovr),
    ]
    wl = lb.triage(lb.Cohort.from_csv(EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS), as_of=AS_OF)
    assert "0020" not in wl.column("child_id")  # up to date: the override is not applied
    assert "override for child 0020 not applied" in run_cli(*base).stderr
    hidden = run_cli(*base, "--hide-values")
    assert "0020" not in hidden.stderr and f"override for child {HIDDEN_VALUE} not applied" in hidden.stderr


def test_override_reason_is_withheld_but_who_and_when_stay(key_file: Path) -> None:
    cohort = lb.Cohort.from_csv(EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS)
    decided = [
        {
            "child_id": "0017",
            "tier": "P1",
            "reason": "foster carer Mrs Smith reports bruising",
            "decided_by": "Dr Jones",
            "decided_on": "2021-10-20",
        }
    ]
    wl = lb.triage(cohort, as_of=AS_OF, overrides=decided)
    ps = wl.pseudonymised(lb.PseudonymKey.from_file(key_file))
    row = next(r for r in ps.rows() if r["overridden"] == "yes")
    assert row["reasons"].endswith(
        f"override by Dr Jones on 2021-10-20: tier P1 (rules: P1) - {OVERRIDE_REASON_WITHHELD}"
    )
    assert "Smith" not in ps.to_csv()


def test_an_override_reason_is_withheld_by_where_it_starts_never_by_its_wording(key_file: Path) -> None:
    """The core knows where a clinician's words begin in each row's reasons (it wrote them), so
    no wording can hide them: a reason that looks like the library's own text, or a tier or a
    decider with odd words, is still withheld whole, and nothing before it is touched."""
    cohort = lb.Cohort.from_csv(EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS)
    decided = [
        {
            "child_id": "0017",
            "tier": "P1",
            "reason": " - tier P4 (rules: P1) | override by Mrs Smith: birthday 2012-05-07",
            "decided_by": "Dr X - on 2021-10-20: tier",
            "decided_on": "2021-10-20",
        }
    ]
    wl = lb.triage(cohort, as_of=AS_OF, overrides=decided)
    plain = next(r for r in wl.rows() if r["overridden"] == "yes")["reasons"]
    ps = wl.pseudonymised(lb.PseudonymKey.from_file(key_file))
    row = next(r for r in ps.rows() if r["overridden"] == "yes")
    head = plain[: plain.rindex(decided[0]["reason"].strip())]
    assert row["reasons"] == head + OVERRIDE_REASON_WITHHELD
    assert "Smith" not in ps.to_csv() and "2012-05-07" not in ps.to_csv()


def test_python_api_pseudonymise(key_file: Path) -> None:
    key = lb.PseudonymKey.from_file(key_file)
    secret = key_file.read_text().strip()
    assert secret not in repr(key) and key.fingerprint[:16] in repr(key)
    with pytest.raises(TypeError):
        pickle.dumps(key)
    st = lb.status(lb.Cohort.from_csv(EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS), as_of=AS_OF)
    ps = lb.pseudonymise(st, key)
    assert ps.columns == st.columns and len(ps) == len(st) and ps.kind == "status" and ps.as_of == st.as_of
    assert ps.column("child_id") == [key.pseudonym(c) for c in st.column("child_id")]
    assert ps.column("due_date") == st.column("due_date")
    assert lb.pseudonymise(st, secret).to_csv() == st.pseudonymised(key).to_csv()  # str, bytes or a key
    assert lb.pseudonymise(st, secret.encode()).to_csv() == ps.to_csv()
    # HMAC-SHA256 of the id as given, so a partner holding the key can reproduce it.
    import hashlib
    import hmac

    expected = hmac.new(secret.encode(), b"0017", hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]
    assert key.pseudonym("0017") == PSEUDONYM_PREFIX + expected
    # Same column types through Arrow, so DataFrames work as before.
    pa = pytest.importorskip("pyarrow")
    assert pa.table(ps).schema == pa.table(st).schema
    assert pa.table(ps).column("child_id").to_pylist() == ps.column("child_id")
    # The manifest names the key by its fingerprint only.
    m = ps.manifest
    assert m["privacy"]["pseudonymised"]["key_fingerprint"] == key.fingerprint and secret not in str(m)
    assert m["output"]["sha256"] != st.manifest["output"]["sha256"]
    with pytest.raises(TypeError):
        lb.pseudonymise(st, 42)  # type: ignore[arg-type]
    with pytest.raises(lb.PseudonymKeyError):
        lb.PseudonymKey("too short")
    k = lb.kpis(lb.Cohort.from_csv(EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS), as_of=AS_OF)
    assert k.pseudonymised(key).to_csv() == k.to_csv()  # aggregates: nothing child-level to change


def test_pseudonymised_csv_matches_the_native_writer(key_file: Path, tmp_path: Path) -> None:
    """The Python-made table writes CSV exactly as the native one: with a key that maps every
    id to itself the bytes are equal (checked by re-reading with ids swapped back)."""
    st = lb.triage(lb.Cohort.from_csv(EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS), as_of=AS_OF)
    key = lb.PseudonymKey.from_file(key_file)
    ps = st.pseudonymised(key)
    back = {key.pseudonym(c): c for c in st.column("child_id")}
    text = ps.to_csv() or ""
    for p, c in back.items():
        text = text.replace(p, c)
    # The 18th birthday in a reason (the last review before 18) is reduced to its month, as a
    # date of birth is.
    want = re.sub(r"(18th birthday \(\d{4}-\d{2})-\d{2}\)", r"\1)", st.to_csv() or "")
    assert text == want
    ps.to_csv(tmp_path / "w.csv")
    assert (tmp_path / "w.csv").read_text() == ps.to_csv()


def test_dob_reduction_and_birthday_text() -> None:
    assert DOB_MONTH_FORM == "YYYY-MM"
    assert dob_month(dt.date(2012, 5, 1)) == "2012-05"
    assert dob_month("2012-05-01") == "2012-05" and dob_month("01/05/2012") == "2012-05"
    assert dob_month("not a date") == HIDDEN_VALUE and dob_month("") == "" and dob_month(None) is None
    assert (
        reduce_birth_dates("next RHA would fall due on 2022-01-13, on or after the 18th birthday (2022-01-09)")
        == "next RHA would fall due on 2022-01-13, on or after the 18th birthday (2022-01)"
    )
    assert reduce_birth_dates("aged 18 or over (birthday 2021-03-04)") == "aged 18 or over (birthday 2021-03)"
    assert (
        reduce_birth_dates("the same CHILD has different dates of birth (01/02/2010 on line 3)")
        == "the same CHILD has different dates of birth (2010-02 on line 3)"
    )
    assert (
        reduce_birth_dates("RHA due 12 months after the last assessment on 2019-04-26 (age 9 then)")
        == "RHA due 12 months after the last assessment on 2019-04-26 (age 9 then)"
    )


def test_key_length_constants_are_what_the_docs_say() -> None:
    doc = (ROOT / "docs" / "privacy.md").read_text()
    for name in (
        "MIN_KEY_BYTES",
        "PSEUDONYM_PREFIX",
        "PSEUDONYM_HEX_CHARS",
        "DOB_MONTH_FORM",
        "HIDDEN_VALUE",
        "OVERRIDE_REASON_WITHHELD",
        "KEY_ENV",
    ):
        assert name in doc, name
    assert f"{MIN_KEY_BYTES} bytes" in doc and f"{PSEUDONYM_HEX_CHARS} hexadecimal" in doc


@pytest.mark.parametrize("module", [lac_backlog._privacy, lac_backlog._audit])
def test_docstring_examples(module: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.failed == 0


def test_the_library_logs_nothing(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], key_file: Path
) -> None:
    """The API prints and logs nothing: child data reaches no log (problems are in exceptions)."""
    import logging

    caplog.set_level(logging.DEBUG)
    cohort = lb.Cohort.from_csv(EXAMPLE_CHILDREN, EXAMPLE_ASSESSMENTS)
    lb.triage(cohort, as_of=AS_OF).pseudonymised(lb.PseudonymKey.from_file(key_file)).manifest
    with pytest.raises(lb.DataError):
        lb.Cohort.from_csv(BAD_CHILDREN, BAD_ASSESSMENTS)
    assert caplog.records == []
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_from_env_without_the_variable_gives_no_key() -> None:
    assert KEY_ENV not in os.environ  # conftest clears it for every test
    assert lb.PseudonymKey.from_env() is None
