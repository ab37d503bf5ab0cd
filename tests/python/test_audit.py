"""Audit (issue 9, docs/audit.md): a manifest beside every output file, the same on every
result in Python, byte-identical outputs for the same inputs, and `lac-backlog verify`."""

from __future__ import annotations

import csv
import hashlib
import json
import secrets
import shutil
from pathlib import Path
from typing import Any

import lac_backlog as lb
import pytest
from conftest import PUBLIC_DATA, ROOT, run_cli

AS_OF = "2021-10-21"
SCENARIOS = ROOT / "examples" / "scenarios.toml"
SSDA903 = PUBLIC_DATA / "ssda903-fake"
MANIFEST_KEYS = [
    "manifest_version",
    "tool",
    "version",
    "output",
    "command",
    "call",
    "as_of",
    "policy",
    "inputs",
    "rows_in",
    "privacy",
    "exit_status",
]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_of(out: Path) -> dict[str, Any]:
    m: dict[str, Any] = json.loads(Path(str(out) + ".manifest.json").read_text())
    return m


def data_rows(path: Path) -> int:
    if path.suffix == ".xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        return int(openpyxl.load_workbook(path).active.max_row) - 1
    with open(path, encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the example council, so a test may edit it."""
    c, a = (Path(p) for p in lb.example_paths())
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(c, folder / "children.csv")
    shutil.copy(a, folder / "assessments.csv")
    return folder / "children.csv", folder / "assessments.csv"


@pytest.fixture(scope="module")
def synth300(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("synth")
    r = run_cli(
        "synth",
        "--children",
        "300",
        "--seed",
        "5",
        "--as-of",
        AS_OF,
        "--overdue-share",
        "0.3",
        "--out-dir",
        str(folder),
    )
    assert r.returncode == 0, r.stderr
    return folder / "children.csv", folder / "assessments.csv"


def _commands(c: Path, a: Path, out: Path, synth: tuple[Path, Path]) -> dict[str, tuple[list[str], list[Path]]]:
    """Each command with its output files, small enough to run twice quickly."""
    base = ["--children", str(c), "--assessments", str(a), "--as-of", AS_OF]
    sc, sa = synth
    cmds = {
        "status": (["status", *base, "--out", str(out / "status.csv")], [out / "status.csv"]),
        "triage": (["triage", *base, "--out", str(out / "worklist.csv")], [out / "worklist.csv"]),
        "triage_xlsx": (["triage", *base, "--out", str(out / "worklist.xlsx")], [out / "worklist.xlsx"]),
        "kpi": (
            [
                "kpi",
                *base,
                "--months",
                "6",
                "--suppress",
                "--out",
                str(out / "kpi.csv"),
                "--trend-out",
                str(out / "trend.csv"),
                "--forecast",
                "3",
                "--forecast-out",
                str(out / "forecast.csv"),
            ],
            [out / "kpi.csv", out / "trend.csv", out / "forecast.csv"],
        ),
        "simulate": (
            [
                "simulate",
                "--children",
                str(sc),
                "--assessments",
                str(sa),
                "--as-of",
                AS_OF,
                "--scenarios",
                str(SCENARIOS),
                "--runs",
                "4",
                "--weeks",
                "8",
                "--out",
                str(out / "options.csv"),
                "--trajectory",
                str(out / "weekly.csv"),
            ],
            [out / "options.csv", out / "weekly.csv"],
        ),
        "validate": (["validate", *base, "--out", str(out / "problems.csv")], [out / "problems.csv"]),
        "policy": (
            ["policy", "--policy", str(ROOT / "examples" / "kent_policy.toml"), "--out", str(out / "policy.toml")],
            [out / "policy.toml"],
        ),
        "synth": (
            ["synth", "--children", "50", "--seed", "2", "--as-of", AS_OF, "--out-dir", str(out / "council")],
            [out / "council" / "children.csv", out / "council" / "assessments.csv"],
        ),
    }
    if SSDA903.exists():
        cmds["oc2"] = (
            ["oc2", "--ssda903", str(SSDA903), "--suppress", "--out", str(out / "oc2.csv")],
            [out / "oc2.csv"],
        )
    return cmds


COMMANDS = ["status", "triage", "triage_xlsx", "kpi", "simulate", "validate", "policy", "synth", "oc2"]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_output_has_a_manifest_that_verifies_and_runs_are_byte_identical(
    name: str, inputs: tuple[Path, Path], synth300: tuple[Path, Path], tmp_path: Path
) -> None:
    if name == "triage_xlsx":
        pytest.importorskip("openpyxl")
    out = tmp_path / "out"
    out.mkdir()
    cmds = _commands(*inputs, out, synth300)
    if name not in cmds:
        pytest.skip("the fake 903 return is not here")
    argv, outputs = cmds[name]
    r = run_cli(*argv)
    assert r.returncode == 0, r.stderr
    first = {p: (p.read_bytes(), Path(str(p) + ".manifest.json").read_bytes()) for p in outputs}
    for p in outputs:
        m = manifest_of(p)
        assert list(m) == MANIFEST_KEYS
        assert m["tool"] == "lac-backlog" and m["version"] == lb.__version__ and m["manifest_version"] == 1
        assert m["output"]["sha256"] == sha(p) and m["output"]["bytes"] == p.stat().st_size
        assert m["output"]["path"] == str(p) and m["output"]["abspath"] == str(p.resolve())
        if name != "policy":
            assert m["output"]["rows"] == data_rows(p)
        assert m["command"]["argv"] == argv and m["exit_status"] == 0
        for entry in m["inputs"]:
            if entry["kind"] == "file":
                assert entry["sha256"] == sha(Path(entry["abspath"])) and Path(entry["abspath"]).is_absolute()
        if m["policy"] is not None:
            toml = m["policy"]["toml"]
            assert m["policy"]["sha256"] == hashlib.sha256(toml.encode()).hexdigest()
            assert lb.Policy.from_toml_str(toml) is not None
        if name not in ("policy", "synth"):
            # validate checks the files as they are: it has no report date of its own
            assert m["as_of"] == {"validate": None, "oc2": "2018-03-31"}.get(name, AS_OF) and m["rows_in"]
            assert all(r["rows_read"] == r["rows_accepted"] + r["rows_rejected"] for r in m["rows_in"])
        v = run_cli("verify", str(p) + ".manifest.json")
        assert v.returncode == 0, v.stdout + v.stderr
        assert v.stdout.startswith(f"verified: {p.resolve()}")
    # The same inputs give the same bytes, output and manifest alike.
    r = run_cli(*argv)
    assert r.returncode == 0, r.stderr
    for p in outputs:
        assert (p.read_bytes(), Path(str(p) + ".manifest.json").read_bytes()) == first[p], p
    # Nothing half-written is left behind.
    assert not [f for f in out.rglob("*") if f.name.startswith(".") or f.name.endswith(".tmp")]


def test_inputs_are_recorded_with_their_roles(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    c, a = inputs
    ovr = tmp_path / "decisions.csv"
    ovr.write_text("child_id,tier,reason,decided_by,decided_on\n0017,P1,new concern,Dr Jones,2021-10-20\n")
    out = tmp_path / "worklist.csv"
    r = run_cli(
        "triage",
        "--children",
        str(c),
        "--assessments",
        str(a),
        "--as-of",
        AS_OF,
        "--overrides",
        str(ovr),
        "--policy",
        str(ROOT / "examples" / "kent_policy.toml"),
        "--closures",
        str(ROOT / "examples" / "closures.txt"),
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    m = manifest_of(out)
    assert [e["role"] for e in m["inputs"]] == ["children", "assessments", "overrides", "policy", "closures"]
    assert [e["path"] for e in m["inputs"]][:3] == [str(c), str(a), str(ovr)]
    kent, closures = ROOT / "examples" / "kent_policy.toml", ROOT / "examples" / "closures.txt"
    assert [(e["kind"], e["sha256"], e["bytes"]) for e in m["inputs"][3:]] == [
        ("file", sha(kent), kent.stat().st_size),
        ("file", sha(closures), closures.stat().st_size),
    ]
    assert m["rows_in"] == [
        {"file": str(c), "rows_read": 40, "rows_accepted": 40, "rows_rejected": 0},
        {"file": str(a), "rows_read": 84, "rows_accepted": 84, "rows_rejected": 0},
    ]
    rerun = m["command"]["rerun"]
    assert rerun[rerun.index("--overrides") + 1] == str(ovr.resolve())
    assert "--out" not in rerun and m["command"]["outputs"] == {"--out": str(out.resolve())}
    assert "2021-12-29" in m["policy"]["toml"] or "extra_closures" in m["policy"]["toml"]
    assert run_cli("verify", str(out) + ".manifest.json").returncode == 0


def test_as_of_is_pinned_in_the_rerun_command(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    c, a = inputs
    out = tmp_path / "status.csv"
    assert run_cli("status", "--children", str(c), "--assessments", str(a), "--out", str(out)).returncode == 0
    m = manifest_of(out)
    import datetime as dt

    rerun = m["command"]["rerun"]
    assert rerun[rerun.index("--as-of") + 1] == dt.date.today().isoformat() == m["as_of"]


def test_verify_names_the_input_that_changed(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    c, a = inputs
    out = tmp_path / "status.csv"
    assert (
        run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", AS_OF, "--out", str(out)).returncode
        == 0
    )
    manifest = str(out) + ".manifest.json"
    with open(a, "a", encoding="utf-8") as f:
        f.write("0017,RHA,2021-10-01,face_to_face,completed\n")
    v = run_cli("verify", manifest)
    assert v.returncode == 1
    assert f"input assessments {a.resolve()} has changed" in v.stdout and "not verified" in v.stdout
    assert str(c.resolve()) not in v.stdout  # the unchanged one is not blamed


def test_verify_notices_an_edited_output_and_a_missing_input(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    c, a = inputs
    out = tmp_path / "worklist.csv"
    assert (
        run_cli("triage", "--children", str(c), "--assessments", str(a), "--as-of", AS_OF, "--out", str(out)).returncode
        == 0
    )
    manifest = str(out) + ".manifest.json"
    out.write_text(out.read_text().replace("P1", "P4", 1))
    v = run_cli("verify", manifest)
    assert v.returncode == 1 and f"output {out.resolve()} has changed" in v.stdout
    out.unlink()  # gone: verify re-runs and still confirms
    v = run_cli("verify", manifest)
    assert v.returncode == 0 and "no longer there" in v.stderr
    c.unlink()
    v = run_cli("verify", manifest)
    assert v.returncode == 1 and f"input children {c.resolve()} cannot be read" in v.stdout


def test_verify_notices_a_different_output(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    """A manifest whose recorded output no longer matches what the command gives (as if the
    library had changed) is not verified."""
    c, a = inputs
    out = tmp_path / "status.csv"
    assert (
        run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", AS_OF, "--out", str(out)).returncode
        == 0
    )
    manifest = Path(str(out) + ".manifest.json")
    m = json.loads(manifest.read_text())
    m["output"]["sha256"] = "0" * 64
    out.unlink()
    manifest.write_text(json.dumps(m))
    v = run_cli("verify", str(manifest))
    assert v.returncode == 1 and "re-running gives a different output" in v.stdout


def test_verify_usage_errors(tmp_path: Path) -> None:
    assert run_cli("verify", str(tmp_path / "nothing.json")).returncode == 2
    not_json = tmp_path / "x.json"
    not_json.write_text("{")
    assert run_cli("verify", str(not_json)).returncode == 2
    other = tmp_path / "other.json"
    other.write_text('{"tool": "something else"}')
    r = run_cli("verify", str(other))
    assert r.returncode == 2 and "not a lac-backlog manifest" in r.stderr
    assert run_cli("verify").returncode == 2


def test_pseudonymised_output_verifies_only_with_the_same_key(
    inputs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, a = inputs
    key = secrets.token_hex(32)
    monkeypatch.setenv("LAC_BACKLOG_PSEUDONYMISE_KEY", key)
    out = tmp_path / "status.csv"
    assert (
        run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", AS_OF, "--out", str(out)).returncode
        == 0
    )
    manifest = str(out) + ".manifest.json"
    text = Path(manifest).read_text()
    assert key not in text and "0017" not in text
    assert json.loads(text)["privacy"]["pseudonymised"]["key_source"] == "environment"
    assert run_cli("verify", manifest).returncode == 0
    monkeypatch.setenv("LAC_BACKLOG_PSEUDONYMISE_KEY", secrets.token_hex(32))
    v = run_cli("verify", manifest)
    assert v.returncode == 1 and "pseudonymisation key is not the one recorded" in v.stdout
    monkeypatch.delenv("LAC_BACKLOG_PSEUDONYMISE_KEY")
    assert run_cli("verify", manifest).returncode == 2
    # A plain export verifies even when a key is set in the environment at verify time.
    plain = tmp_path / "plain.csv"
    assert (
        run_cli(
            "status", "--children", str(c), "--assessments", str(a), "--as-of", AS_OF, "--out", str(plain)
        ).returncode
        == 0
    )
    monkeypatch.setenv("LAC_BACKLOG_PSEUDONYMISE_KEY", key)
    assert run_cli("verify", str(plain) + ".manifest.json").returncode == 0


def test_validate_manifest_records_exit_status_1(tmp_path: Path) -> None:
    out = tmp_path / "problems.csv"
    r = run_cli(
        "validate",
        "--children",
        str(ROOT / "examples" / "bad_children.csv"),
        "--assessments",
        str(ROOT / "examples" / "bad_assessments.csv"),
        "--hide-values",
        "--out",
        str(out),
    )
    assert r.returncode == 1
    m = manifest_of(out)
    assert m["exit_status"] == 1 and m["privacy"]["hide_values"] is True
    assert m["rows_in"][0]["rows_rejected"] == 2 and m["output"]["rows"] == 4
    assert "--hide-values" in m["command"]["rerun"]
    assert run_cli("verify", str(out) + ".manifest.json").returncode == 0


def test_no_manifest_for_standard_output_or_failed_runs(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    c, a = inputs
    r = run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", AS_OF, script=True)
    assert r.returncode == 0 and r.stdout.startswith("child_id,")
    assert not list(Path.cwd().glob("*.manifest.json"))
    out = tmp_path / "status.csv"
    r = run_cli(
        "status",
        "--children",
        str(ROOT / "examples" / "bad_children.csv"),
        "--assessments",
        str(ROOT / "examples" / "bad_assessments.csv"),
        "--out",
        str(out),
    )
    assert r.returncode == 1 and not out.exists() and not Path(str(out) + ".manifest.json").exists()


def test_overrides_record_who_when_and_why(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    c, a = inputs
    ovr = tmp_path / "decisions.csv"
    ovr.write_text(
        "child_id,tier,modality,reason,decided_by,decided_on\n"
        "0017,P1,face_to_face,new safeguarding concern,Dr Jones,2021-10-20\n"
        "0024,P2,,reviewed by phone,Nurse Ali,\n"
    )
    out = tmp_path / "worklist.csv"
    r = run_cli(
        "triage",
        "--children",
        str(c),
        "--assessments",
        str(a),
        "--as-of",
        AS_OF,
        "--overrides",
        str(ovr),
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    with open(out, encoding="utf-8", newline="") as f:
        rows = {row["child_id"]: row for row in csv.DictReader(f)}
    assert rows["0017"]["overridden"] == "yes"
    assert "override by Dr Jones on 2021-10-20:" in rows["0017"]["reasons"]  # who and when
    assert rows["0017"]["reasons"].endswith("- new safeguarding concern")  # why
    assert "override by Nurse Ali:" in rows["0024"]["reasons"] and rows["0024"]["reasons"].endswith(
        "- reviewed by phone"
    )
    # An override without a date: the user is told the worklist cannot record when.
    assert f"{ovr}, line 3, column decided_on: no date" in r.stderr
    assert f"{ovr}, line 2" not in r.stderr
    if "override_by" in rows["0017"]:  # the separate columns, once the worklist has them
        assert (rows["0017"]["override_by"], rows["0017"]["override_on"], rows["0017"]["override_reason"]) == (
            "Dr Jones",
            "2021-10-20",
            "new safeguarding concern",
        )
    assert manifest_of(out)["inputs"][2]["sha256"] == sha(ovr)


# --- The same manifest on Python results -----------------------------------------------------


def test_python_results_carry_a_manifest(tmp_path: Path) -> None:
    c, a = lb.example_paths()
    cohort = lb.Cohort.from_csv(c, a)
    st = lb.status(cohort, as_of=AS_OF)
    m = st.manifest
    assert [k for k in m] == [
        "manifest_version",
        "tool",
        "version",
        "output",
        "call",
        "as_of",
        "policy",
        "inputs",
        "rows_in",
        "privacy",
    ]
    assert m["call"] == {"function": "lac_backlog.status", "arguments": {"as_of": AS_OF}}
    assert [(e["role"], e["sha256"]) for e in m["inputs"]] == [
        ("children", sha(Path(c))),
        ("assessments", sha(Path(a))),
    ]
    assert (
        m["output"]["rows"] == len(st)
        and m["output"]["sha256"] == hashlib.sha256((st.to_csv() or "").encode()).hexdigest()
    )
    assert m["policy"]["toml"] == lb.Policy.default().to_toml()
    assert m["rows_in"][0]["rows_read"] == 40
    m["inputs"].clear()
    assert st.manifest["inputs"], "each access gives a new dict"
    # The Python output hash is the CLI file's hash: the same CSV bytes.
    out = tmp_path / "status.csv"
    assert run_cli("status", "--children", c, "--assessments", a, "--as-of", AS_OF, "--out", str(out)).returncode == 0
    assert sha(out) == st.manifest["output"]["sha256"]

    wl = lb.triage(
        cohort,
        as_of=AS_OF,
        overrides=[{"child_id": "0017", "tier": "P1", "reason": "x", "decided_by": "Dr", "decided_on": "2021-10-20"}],
    )
    assert [e["role"] for e in wl.manifest["inputs"]] == ["children", "assessments", "overrides"]
    k = lb.kpis(cohort, as_of=AS_OF, months=3, forecast=2)
    for t in (k, k.trend, k.forecast):
        assert t is not None and t.manifest["call"]["function"] == "lac_backlog.kpis"
    assert k.trend.manifest["output"]["kind"] == "kpi_trend"
    v = lb.validate(str(ROOT / "examples" / "bad_children.csv"), str(ROOT / "examples" / "bad_assessments.csv"))
    assert v.manifest["rows_in"][0] == {
        "file": str(ROOT / "examples" / "bad_children.csv"),
        "rows_read": 3,
        "rows_accepted": 1,
        "rows_rejected": 2,
    }


def test_synthetic_and_dataframe_cohorts_are_identified(tmp_path: Path) -> None:
    council = lb.synthetic_cohort(children=200, seed=4, as_of=AS_OF, overdue_share=0.3)
    res = lb.simulate(council, [{"name": "base", "face_to_face_per_week": 5}], as_of=AS_OF, runs=3, weeks=5, seed=1)
    m = res.manifest
    assert m["inputs"][0]["kind"] == "synthetic"
    assert m["inputs"][0]["parameters"] == {
        "children": 200,
        "seed": 4,
        "as_of": AS_OF,
        "overdue_share": 0.3,
        "localities": None,
    }
    assert m["inputs"][1]["role"] == "scenarios" and m["inputs"][1]["kind"] == "in_memory"
    assert m["call"]["arguments"] == {"as_of": AS_OF, "weeks": 5, "runs": 3, "seed": 1}
    assert res.trajectory.manifest["output"]["kind"] == "simulation_trajectory"
    pd = pytest.importorskip("pandas")
    c, a = lb.example_paths()
    frames = lb.Cohort.from_frames(pd.read_csv(c, dtype=str), pd.read_csv(a, dtype=str))
    entries = lb.status(frames, as_of=AS_OF).manifest["inputs"]
    assert [(e["role"], e["kind"]) for e in entries] == [("children", "in_memory"), ("assessments", "in_memory")]
    assert "Cohort.to_csv" in entries[0]["identified_by"]
    frames.to_csv(tmp_path / "c.csv", tmp_path / "a.csv")
    assert entries[0]["sha256"] == sha(tmp_path / "c.csv") and entries[1]["sha256"] == sha(tmp_path / "a.csv")
    # The same frames give the same identity.
    again = lb.Cohort.from_frames(pd.read_csv(c, dtype=str), pd.read_csv(a, dtype=str))
    assert lb.triage(again, as_of=AS_OF).manifest["inputs"] == lb.triage(frames, as_of=AS_OF).manifest["inputs"]


def test_results_are_deterministic_in_python() -> None:
    c, a = lb.example_paths()
    one = lb.Cohort.from_csv(c, a)
    two = lb.Cohort.from_csv(c, a)
    for f in (lb.status, lb.triage):
        assert f(one, as_of=AS_OF).manifest == f(two, as_of=AS_OF).manifest  # type: ignore[operator]
    council = lb.synthetic_cohort(children=200, seed=4, as_of=AS_OF, overdue_share=0.3)
    runs = [
        lb.simulate(council, [{"name": "b", "face_to_face_per_week": 5}], as_of=AS_OF, runs=4, weeks=6, seed=3)
        for _ in range(2)
    ]
    assert runs[0].to_csv() == runs[1].to_csv() and runs[0].trajectory.to_csv() == runs[1].trajectory.to_csv()


def test_inputs_are_recorded_from_the_bytes_read(tmp_path, write_cohort) -> None:
    """The core hashes each input as it reads it: a file changed after reading is recorded as it
    was used (was: hashed when the manifest was first asked for)."""
    import hashlib

    c, a = write_cohort("1,2010-01-01,2020-01-01,,C2\n", "1,IHA,2020-01-20,,\n")
    used = hashlib.sha256(c.read_bytes()).hexdigest()
    cohort = lb.Cohort.from_csv(c, a, today="2021-10-21")
    c.write_text(c.read_text() + "2,2011-01-01,2020-01-01,,C2\n")  # edited after reading
    m = lb.status(cohort, as_of="2021-10-21").manifest
    entry = next(e for e in m["inputs"] if e["role"] == "children")
    assert entry["sha256"] == used and entry["kind"] == "file"


def test_settings_files_are_recorded_from_the_bytes_read(tmp_path, write_cohort) -> None:
    """Overrides, scenario and policy files are recorded as they were read too: each is edited
    after reading and the manifest keeps the bytes that were used."""
    c, a = write_cohort("1,2010-01-01,2020-01-01,,C2\n", "1,IHA,2020-01-20,,\n")
    cohort = lb.Cohort.from_csv(c, a, today=AS_OF)
    ovr = tmp_path / "overrides.csv"
    ovr.write_text("child_id,tier,reason,decided_by,decided_on\n1,P1,seen by GP,Dr A,2021-10-01\n")
    used = sha(ovr)
    wl = lb.triage(cohort, as_of=AS_OF, overrides=ovr)
    ovr.write_text("child_id,tier,reason,decided_by,decided_on\n1,P2,changed,Dr B,2021-10-02\n")
    entry = next(e for e in wl.manifest["inputs"] if e["role"] == "overrides")
    assert (entry["kind"], entry["path"], entry["sha256"]) == ("file", str(ovr), used)

    scen = tmp_path / "scenarios.toml"
    shutil.copy(SCENARIOS, scen)
    used = sha(scen)
    res = lb.simulate(cohort, scen, as_of=AS_OF, runs=2, weeks=4, seed=1)
    scen.write_text(scen.read_text() + "\n# edited\n")
    entry = next(e for e in res.manifest["inputs"] if e["role"] == "scenarios")
    assert (entry["kind"], entry["sha256"], entry["bytes"]) == ("file", used, len(SCENARIOS.read_bytes()))

    pol = tmp_path / "policy.toml"
    pol.write_text("[schedule]\ndue_soon_days = 14\n")
    used = sha(pol)
    policy = lb.Policy.from_toml(pol)
    pol.write_text("[schedule]\ndue_soon_days = 21\n")
    assert policy.source_record == (str(pol), len("[schedule]\ndue_soon_days = 14\n"), used)


def test_a_903_manifest_lists_the_files_read_and_only_those() -> None:
    """Only the files the 903 reader read are in the manifest: the fake return's CSV tables, not
    the XML beside them (ignored when CSV tables are there), its README or LICENSE; and oc2
    reads the return once."""
    folder = PUBLIC_DATA / "ssda903-fake"
    m = lb.oc2(folder, year_end="2018-03-31").manifest
    (entry,) = [e for e in m["inputs"] if e["role"] == "ssda903"]
    names = sorted(f["name"] for f in entry["files"])
    assert names == ["episodes.csv", "header.csv", "missing.csv", "oc2.csv", "uasc.csv"]
    assert [r["file"] for r in m["rows_in"]][:1] and all("rows_read" in r for r in m["rows_in"])
