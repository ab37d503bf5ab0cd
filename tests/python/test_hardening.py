"""Hostile and careless input (docs/bad-input.md, "Outputs and the files around them"): every
reproduction of issue 17 as a test that failed before its fix. Most run the command line in
this process (``cli.main``) for speed; a few through a real process where signals or exit
codes of the process matter."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import threading
from pathlib import Path

import lac_backlog as lb
import pytest
from lac_backlog import cli
from lac_backlog._files import TEMP_PREFIX

FORMULA = '=HYPERLINK("http://x","y")'
KEY = "k3y-" + "9f2c71d0a8b4e6" * 4  # what a key file holds; must never reach standard error
AS_OF = "2021-10-21"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The command line in this process: (exit status, standard output, standard error)."""
    try:
        status = cli.main(list(args))
    except SystemExit as e:  # argparse's refusals
        status = e.code if isinstance(e.code, int) else 2
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def council(write_cohort) -> tuple[Path, Path]:
    """Four children, two overdue, one of them with a child_id that is a formula."""
    return write_cohort(
        f'"{FORMULA.replace(chr(34), chr(34) * 2)}",2015-01-01,2019-01-01,,C2,North\n'
        "B2,2016-01-01,2019-01-01,,C2,=1+1\n"
        "C3,2012-01-01,2019-01-01,,C2,North\n"
        "D4,2013-01-01,2019-01-01,,C2,South\n",
        f'"{FORMULA.replace(chr(34), chr(34) * 2)}",IHA,2019-01-20,,\nC3,IHA,2019-01-20,,\nC3,RHA,2021-06-01,,\n'
        "D4,IHA,2019-01-20,,\nD4,RHA,2021-06-01,,\nB2,IHA,2019-01-20,,\n",
        children_header="child_id,date_of_birth,care_start,care_end,legal_status,locality\n",
    )


def inputs(c: Path, a: Path) -> list[str]:
    return ["--children", str(c), "--assessments", str(a), "--as-of", AS_OF]


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


# 1. Formula injection ---------------------------------------------------------------------


def test_xlsx_stores_every_text_cell_as_text(tmp_path: Path, council, capsys) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    c, a = council
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        f"child_id,tier,reason,decided_by,decided_on\nB2,P1,\"{FORMULA.replace(chr(34), chr(34) * 2)}\",=cmd|' /C calc'!A0,{AS_OF}\n"
    )
    out = tmp_path / "worklist.xlsx"
    status, _, err = run(capsys, "triage", *inputs(c, a), "--overrides", str(decisions), "--out", str(out))
    assert status == 0, err
    ws = openpyxl.load_workbook(out).active
    cells = [cell for row in ws.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert FORMULA in texts
    assert "=cmd|' /C calc'!A0" in texts
    # The reading warned about each formula-like cell.
    assert "starts with = + - or @" in err


def test_pseudonymised_xlsx_has_no_formula(tmp_path: Path, council, capsys) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    c, a = council
    key = tmp_path / "key"
    key.write_text(KEY)
    out = tmp_path / "shared.xlsx"
    status, _, err = run(capsys, "triage", *inputs(c, a), "--pseudonymise-key-file", str(key), "--out", str(out))
    assert status == 0, err
    ws = openpyxl.load_workbook(out).active
    assert not [cell.coordinate for row in ws.iter_rows() for cell in row if cell.data_type == "f"]


def csv_cells(path: Path) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(path.read_text())) for cell in row]


@pytest.mark.parametrize("command", ["status", "triage", "validate"])
def test_csv_outputs_neutralise_formulas(tmp_path: Path, council, capsys, command: str) -> None:
    c, a = council
    out = tmp_path / f"{command}.csv"
    status, _, err = run(capsys, command, *inputs(c, a), "--out", str(out))
    assert status == 0, err
    cells = csv_cells(out)
    assert "'" + FORMULA in cells
    assert not [x for x in cells if x[:1] in ("=", "+", "@")], cells


def test_kpi_by_locality_neutralises_a_formula_locality(tmp_path: Path, council, capsys) -> None:
    c, a = council
    out = tmp_path / "kpi.csv"
    assert run(capsys, "kpi", *inputs(c, a), "--by", "locality", "--out", str(out))[0] == 0
    cells = csv_cells(out)
    assert "'=1+1" in cells and "=1+1" not in cells


def test_raw_csv_writes_text_as_it_is(tmp_path: Path, council, capsys) -> None:
    c, a = council
    out = tmp_path / "status.csv"
    assert run(capsys, "status", *inputs(c, a), "--out", str(out), "--raw-csv")[0] == 0
    assert FORMULA in csv_cells(out)


def test_simulate_neutralises_a_formula_scenario_name(tmp_path: Path, council, capsys) -> None:
    c, a = council
    scenarios = tmp_path / "s.toml"
    scenarios.write_text('weeks = 4\nruns = 2\n[[scenario]]\nname = "@SUM(1+1)*cmd"\nface_to_face_per_week = 2\n')
    out = tmp_path / "options.csv"
    status, _, err = run(capsys, "simulate", *inputs(c, a), "--scenarios", str(scenarios), "--out", str(out))
    assert status == 0, err
    assert "'@SUM(1+1)*cmd" in csv_cells(out)


def test_python_tables_neutralise_too(council) -> None:
    c, a = council
    st = lb.status(lb.Cohort.from_csv(c, a), as_of=AS_OF)
    text = st.to_csv() or ""
    assert "'" + FORMULA.replace('"', '""') in text
    assert FORMULA.replace('"', '""') in (st.to_csv(raw=True) or "")


# 2. An input overwritten ------------------------------------------------------------------


def test_an_output_that_is_an_input_is_refused(tmp_path: Path, council, capsys) -> None:
    c, a = council
    before = (c.read_bytes(), a.read_bytes())
    status, _, err = run(capsys, "status", *inputs(c, a), "--out", str(c))
    assert status == 2 and "an input is never overwritten" in err
    status, _, err = run(capsys, "kpi", *inputs(c, a), "--out", str(a), "--trend-out", str(c))
    assert status == 2
    # Through a symbolic link, a hard link and a path with .. in it.
    link = tmp_path / "link.csv"
    link.symlink_to(c)
    hard = tmp_path / "hard.csv"
    os.link(a, hard)
    for out in (link, hard, tmp_path / ".." / tmp_path.name / c.name):
        status, _, err = run(capsys, "status", *inputs(c, a), "--out", str(out))
        assert status == 2, out
    assert (c.read_bytes(), a.read_bytes()) == before
    assert not (tmp_path / (c.name + ".manifest.json")).exists()


def test_two_outputs_that_are_one_file_are_refused(tmp_path: Path, council, capsys) -> None:
    c, a = council
    out = tmp_path / "k.csv"
    status, _, err = run(capsys, "kpi", *inputs(c, a), "--out", str(out), "--trend-out", str(out))
    assert status == 2 and "same file" in err
    assert not out.exists()


def test_an_output_inside_a_903_folder_is_refused(tmp_path: Path, capsys) -> None:
    folder = Path(__file__).resolve().parents[1] / "data" / "ssda903-fake"
    status, _, err = run(capsys, "oc2", "--ssda903", str(folder), "--out", str(folder / "header.csv"))
    assert status == 2 and "input" in err


# 3. Writes through a planted link ---------------------------------------------------------


def test_a_planted_link_is_never_written_through(tmp_path: Path, council, capsys) -> None:
    c, a = council
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    # The old writer's temporary names for the next few hundred process ids, and ours.
    for pid in range(os.getpid() - 50, os.getpid() + 300):
        for name in (f".status.csv.{pid}.tmp", f".status.csv.{pid}.tmp.manifest.json"):
            (out_dir / name).symlink_to(victim)
    status, _, err = run(capsys, "status", *inputs(c, a), "--out", str(out_dir / "status.csv"))
    assert status == 0, err
    assert victim.read_text() == "untouched"
    assert (out_dir / "status.csv").read_text().startswith("child_id,")
    assert no_temp_files(out_dir)


def test_outputs_are_readable_by_their_owner_only(tmp_path: Path, council, capsys) -> None:
    c, a = council
    for name in ("status.csv", "worklist.xlsx"):
        out = tmp_path / name
        command = "status" if name.endswith(".csv") else "triage"
        assert run(capsys, command, *inputs(c, a), "--out", str(out))[0] == 0
        for f in (out, Path(str(out) + ".manifest.json")):
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


# 4. Panics --------------------------------------------------------------------------------


def test_policy_weights_past_their_bound_are_refused(tmp_path: Path, council, capsys) -> None:
    c, a = council
    policy = tmp_path / "p.toml"
    policy.write_text("[triage.weights]\nself_harm = 4294967295\n")
    status, _, err = run(capsys, "triage", *inputs(c, a), "--policy", str(policy))
    assert status == 2 and "self_harm must be 0 to 1000" in err
    with pytest.raises(lb.PolicyError, match="self_harm must be 0 to 1000"):
        lb.Policy.from_toml(policy)


def test_scenario_slots_past_their_bound_are_refused(council) -> None:
    c, a = council
    cohort = lb.Cohort.from_csv(c, a)
    with pytest.raises(lb.PolicyError, match="face_to_face_per_week must be 0 to 100000"):
        lb.simulate(cohort, [{"name": "x", "face_to_face_per_week": 4294967295, "virtual_per_week": 1}], as_of=AS_OF)


# 5. verify never runs what a manifest says ------------------------------------------------


@pytest.fixture
def kpi_manifest(tmp_path: Path, council, capsys) -> Path:
    c, a = council
    out = tmp_path / "kpi.csv"
    status, _, err = run(capsys, "kpi", *inputs(c, a), "--out", str(out))
    assert status == 0, err
    return Path(str(out) + ".manifest.json")


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    m = json.loads(path.read_text())
    change(m)
    path.write_text(json.dumps(m))


def test_verify_refuses_an_output_added_to_the_command(tmp_path: Path, kpi_manifest: Path, capsys) -> None:
    planted = tmp_path / "planted.csv"
    edit(kpi_manifest, lambda m: m["command"]["rerun"].extend(["--trend-out", str(planted)]))
    status, out, err = run(capsys, "verify", str(kpi_manifest))
    assert status == 2 and "names an output itself" in err
    assert not planted.exists()
    edit(kpi_manifest, lambda m: m["command"]["rerun"].extend(["--trend-o", str(planted)]))  # an abbreviation
    assert run(capsys, "verify", str(kpi_manifest))[0] == 2
    assert not planted.exists()


def test_verify_refuses_an_unknown_output_option(kpi_manifest: Path, capsys) -> None:
    edit(kpi_manifest, lambda m: m["command"]["outputs"].update({"--children": "/tmp/x"}))
    status, _, err = run(capsys, "verify", str(kpi_manifest))
    assert status == 2 and "no such output" in err


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("as_of", lambda m: m.update(as_of="2021-10-20")),
        ("policy", lambda m: m["policy"].update(sha256="0" * 64)),
        ("privacy", lambda m: m["privacy"].update(hide_values=True)),
        ("rows_in", lambda m: m["rows_in"][0].update(rows_read=99)),
        ("inputs", lambda m: m["inputs"][0].update(abspath="/elsewhere/children.csv")),
    ],
)
def test_verify_names_the_field_that_differs(kpi_manifest: Path, capsys, field: str, change) -> None:  # type: ignore[no-untyped-def]
    assert run(capsys, "verify", str(kpi_manifest))[0] == 0
    edit(kpi_manifest, change)
    status, out, _ = run(capsys, "verify", str(kpi_manifest))
    assert status == 1, out
    assert f"differs: {field}" in out or (field == "inputs" and "differs: input" in out), out


def test_verify_of_a_manifest_without_output_is_a_message(kpi_manifest: Path, capsys) -> None:
    edit(kpi_manifest, lambda m: m.update(output=None))
    status, _, err = run(capsys, "verify", str(kpi_manifest))
    assert status == 2 and "no output or command section" in err


# 6. Memory and time within limits ---------------------------------------------------------


def test_simulations_too_big_for_memory_are_refused_up_front(council) -> None:
    c, a = council
    cohort = lb.Cohort.from_csv(c, a)
    options = [{"name": f"o{i}", "face_to_face_per_week": 2} for i in range(4)]
    with pytest.raises(lb.PolicyError, match="simulation.max_memory_mb"):
        lb.simulate(cohort, options, as_of=AS_OF, weeks=520, runs=100_000)
    with pytest.raises(ValueError, match="weeks must be a whole number from 1 to 520"):
        lb.simulate(cohort, options, as_of=AS_OF, weeks=521)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target_up_to_date": 90.0, "weeks": 4_000_000_000}, "weeks must be"),
        ({"target_up_to_date": 90.0, "weeks": 0}, "weeks must be"),
        ({"clear_by": "9999-12-31"}, "within 520 weeks"),
        ({"clear_by": "2022-03-31", "target_wait_weeks": 0}, "target_wait_weeks"),
        ({"clear_by": "2022-03-31", "runs": -1}, "runs must be"),
    ],
)
def test_capacity_needed_checks_its_numbers(council, kwargs, match: str) -> None:  # type: ignore[no-untyped-def]
    c, a = council
    with pytest.raises(ValueError, match=match):
        lb.capacity_needed(lb.Cohort.from_csv(c, a), as_of=AS_OF, **kwargs)


# 7. Half-done runs ------------------------------------------------------------------------


def test_a_failed_second_output_leaves_nothing(tmp_path: Path, council, capsys) -> None:
    c, a = council
    out = tmp_path / "k.csv"
    status, _, err = run(capsys, "kpi", *inputs(c, a), "--out", str(out), "--trend-out", "/nodir/t.csv")
    assert status == 2 and "does not exist" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assessments.csv", "children.csv"]


def test_a_long_output_name_gets_its_manifest_or_nothing_is_written(tmp_path: Path, council, capsys) -> None:
    c, a = council
    # 236 characters: the old temporary name (".NAME.manifest.json.PID.tmp") was too long, so
    # the output was left without its manifest. Now both are written.
    out = tmp_path / ("x" * 232 + ".csv")
    status, _, err = run(capsys, "status", *inputs(c, a), "--out", str(out))
    assert status == 0, err
    assert out.exists() and Path(str(out) + ".manifest.json").exists() and no_temp_files(tmp_path)
    # 245: the manifest's name cannot exist in this folder, so nothing is written.
    out = tmp_path / ("y" * 241 + ".csv")
    status, _, err = run(capsys, "status", *inputs(c, a), "--out", str(out))
    assert status == 2 and "longer than this folder allows" in err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("y")] and no_temp_files(tmp_path)


def test_a_failure_after_staging_removes_every_temporary_file(tmp_path: Path, council, capsys, monkeypatch) -> None:
    c, a = council
    out = tmp_path / "k.csv"

    def full_disk(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli._audit, "manifest_text", full_disk)
    status, _, err = run(capsys, "kpi", *inputs(c, a), "--out", str(out), "--trend-out", str(tmp_path / "t.csv"))
    assert status == 2 and "No space left" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assessments.csv", "children.csv"]


def test_threads_writing_one_path_never_tear_it(tmp_path: Path, council) -> None:
    c, a = council
    cohort = lb.Cohort.from_csv(c, a)
    tables = [lb.status(cohort, as_of=AS_OF), lb.triage(cohort, as_of=AS_OF)]
    whole = {t.to_csv() for t in tables}
    out = tmp_path / "same.csv"

    def write(t: lb.Table) -> None:
        for _ in range(40):
            t.to_csv(out)

    threads = [threading.Thread(target=write, args=(tables[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out.read_text() in whole
    assert no_temp_files(tmp_path)


# 8. Tracebacks become messages ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "--runs", "-1"],
        ["simulate", "--seed", "-1"],
        ["simulate", "--seed", str(2**64)],
        ["simulate", "--weeks", "0"],
        ["synth", "--children", "5", "--out-dir", "x", "--seed", str(2**64)],
        ["synth", "--children", "0", "--out-dir", "x"],
        ["synth", "--children", "5", "--out-dir", "x", "--overdue-share", "nan"],
    ],
)
def test_bad_numbers_are_usage_errors(capsys, council, args: list[str]) -> None:
    c, a = council
    extra = [] if args[0] == "synth" else [*inputs(c, a), "--scenarios", "s.toml"]
    status, _, err = run(capsys, *args, *extra)
    assert status == 2
    assert "Traceback" not in err and "must be" in err or "not a" in err


def test_a_control_character_going_to_excel_is_replaced_and_said(tmp_path: Path, council, capsys) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    c, a = council
    decisions = tmp_path / "d.csv"
    decisions.write_text(f"child_id,tier,reason,decided_by,decided_on\nB2,P1,new\x0bconcern,Nurse,{AS_OF}\n")
    out = tmp_path / "w.xlsx"
    status, _, err = run(capsys, "triage", *inputs(c, a), "--overrides", str(decisions), "--out", str(out))
    assert status == 0, err
    assert "control characters" in err
    texts = [cell.value for row in openpyxl.load_workbook(out).active.iter_rows() for cell in row]
    assert any(isinstance(t, str) and "new\ufffdconcern" in t for t in texts)


def test_windows_1252_overrides_and_closures_are_read(tmp_path: Path, council, capsys) -> None:
    c, a = council
    decisions = tmp_path / "d.csv"
    decisions.write_bytes("child_id,tier,reason,decided_by\nB2,P1,seen by Dr Ren\xe9e,Nurse\n".encode("cp1252"))
    closures = tmp_path / "closures.txt"
    closures.write_bytes("# caf\xe9 closed\n2021-12-29\n".encode("cp1252"))
    status, _, err = run(
        capsys,
        "triage",
        *inputs(c, a),
        "--overrides",
        str(decisions),
        "--closures",
        str(closures),
        "--out",
        str(tmp_path / "w.csv"),
    )
    assert status == 0, err
    assert "no date" in err  # the undated override is still warned about


def test_a_huge_key_file_is_refused(capsys, council) -> None:
    c, a = council
    status, _, err = run(capsys, "status", *inputs(c, a), "--pseudonymise-key-file", "/dev/zero")
    assert status == 2 and "larger than" in err


# 9. Identity ------------------------------------------------------------------------------


def test_look_alike_ids_are_warned_about_naming_both_lines(write_cohort) -> None:
    c, a = write_cohort(
        "AB12,2015-01-01,2019-01-01,,C2\n"
        "ab12,2015-01-01,2019-01-01,,C2\n"
        "Ren\u00e9,2015-01-01,2019-01-01,,C2\n"
        "Rene\u0301,2015-01-01,2019-01-01,,C2\n"
        "0777,2015-01-01,2019-01-01,,C2\n"
        "777,2015-01-01,2019-01-01,,C2\n"
        "X\u200b9,2015-01-01,2019-01-01,,C2\n"
        "X9,2015-01-01,2019-01-01,,C2\n"
        "Z1,2015-01-01,2019-01-01,,C2\n",
    )
    cohort = lb.Cohort.from_csv(c, a)
    assert len(cohort) == 9  # they stay distinct children
    said = {(w.line, w.problem.split("line ")[1].split(" ")[0]) for w in cohort.warnings if "differs from" in w.problem}
    assert said == {(3, "2"), (5, "4"), (7, "6"), (9, "8")}


# 10. A key echoed -------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--closures", "--policy", "--overrides", "--children"])
def test_a_key_file_in_the_wrong_place_is_never_quoted(tmp_path: Path, council, capsys, option: str) -> None:
    c, a = council
    key = tmp_path / "key"
    key.write_text(KEY + "\n")
    args = {"--children": str(c), "--assessments": str(a)}
    args[option] = str(key)
    flat = [x for kv in args.items() for x in kv]
    for hide in ([], ["--hide-values"]):
        status, out, err = run(capsys, "triage", *flat, "--as-of", AS_OF, *hide)
        assert status in (1, 2), err
        assert KEY not in err and KEY[:20] not in err and KEY not in out


# 11. Smaller ------------------------------------------------------------------------------


def test_a_scenario_file_without_a_scenario_is_refused(tmp_path: Path, council, capsys) -> None:
    c, a = council
    scenarios = tmp_path / "s.toml"
    scenarios.write_text("weeks = 4\nruns = 2\n")
    status, _, err = run(capsys, "simulate", *inputs(c, a), "--scenarios", str(scenarios))
    assert status == 2 and "no [[scenario]]" in err


def test_documented_policy_defaults_are_what_the_policy_prints() -> None:
    """Every default in docs/policy.md's tables is the value `lac-backlog policy` prints for that
    key (leap_day_birthday was shown as "march_1", which the policy did not accept)."""
    tomllib = pytest.importorskip("tomllib")

    printed = tomllib.loads(lb.Policy.default().to_toml())
    doc = (Path(__file__).resolve().parents[2] / "docs" / "policy.md").read_text()
    section: dict[str, object] | None = None
    checked = 0
    for line in doc.splitlines():
        if line.startswith("## `["):
            section = printed
            for part in line.split("[", 1)[1].split("]", 1)[0].split("."):
                section = section.get(part) if isinstance(section, dict) else None  # type: ignore[assignment]
        elif line.startswith("| `") and isinstance(section, dict):
            key, default = (cell.strip().strip("`") for cell in line.split("|")[1:3])
            try:
                value = tomllib.loads(f"v = {default}")["v"]
            except tomllib.TOMLDecodeError:
                continue
            if key in section:
                assert value == section[key], (key, default, section[key])
                checked += 1
    assert checked >= 15
    assert lb.Policy.from_toml_str('[schedule]\nleap_day_birthday = "march_1"\n') == lb.Policy.default()


def test_sigterm_after_staging_removes_every_temporary_file(tmp_path: Path, council, capsys, monkeypatch) -> None:
    """A run stopped by SIGTERM (a service stopping it) after its outputs are staged and before
    they are renamed into place leaves neither outputs nor temporary files holding child data."""
    import signal

    c, a = council
    staged: list[str] = []

    def stop_now(self: cli._Run) -> None:
        staged.extend(tmp for tmp, _ in self.staged)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(cli._Run, "commit", stop_now)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["status", *inputs(c, a), "--out", str(tmp_path / "status.csv")])
    assert stopped.value.code == 128 + signal.SIGTERM
    assert staged and not any(os.path.exists(t) for t in staged)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assessments.csv", "children.csv"]
    # The handler is put back afterwards.
    assert signal.getsignal(signal.SIGTERM) is not None
