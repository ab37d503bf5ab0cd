//! The Python bindings (`lac_backlog._native`), compiled only with the `python` feature.
//! A thin layer: convert arguments, call the core with the GIL released, convert results and
//! map typed core errors to the package's own exception classes. Nothing here panics on user
//! data.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use pyo3::exceptions::{PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::error::Error;
use crate::report::Problem;
use crate::table::{self, ColumnData};

/// The extension allocates through mimalloc: reading a table, triaging and building the
/// output make and free several small allocations a child, which glibc's malloc served at about
/// a sixth of the time of `Cohort.from_frames` (docs/performance.md, fifth pass). Only the
/// extension's own Rust allocations use it; Python and Arrow buffers made by pyarrow do not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    // mimalloc's option calls (linked into the extension with the allocator).
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc 3's list of options, and its default (milliseconds,
/// mimalloc 3's `options.c`).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
const MI_PURGE_DELAY_DEFAULT: std::ffi::c_long = 1000;

/// With `on`, give freed memory back to the system at once, not after mimalloc's delay (a
/// second); without, restore the delay. For the command line, whose one large job would
/// otherwise still hold the reading's freed buffers while it triages (issue 23: the 1M-child
/// `triage` peaked at 930-970 MiB, and at 775 MiB with this); it restores the delay when the
/// command ends, so library calls in the same process keep it (repeated calls reuse the
/// memory, faster). False (nothing changed) unless the option holds the other setting, as when
/// this build's mimalloc numbers its options otherwise or `MIMALLOC_PURGE_DELAY` is set.
#[pyfunction]
#[pyo3(signature = (on = true))]
fn return_memory_promptly(on: bool) -> bool {
    let (from, to) = if on { (MI_PURGE_DELAY_DEFAULT, 0) } else { (0, MI_PURGE_DELAY_DEFAULT) };
    // SAFETY: plain calls into the linked mimalloc with integers. The option is a process-wide
    // value mimalloc reads when it decides to purge; it is written here, by the thread running
    // the command, as the command starts and ends (a thread allocating meanwhile may read the
    // old value or the new, either of which is valid).
    unsafe {
        if mi_option_get(MI_OPTION_PURGE_DELAY) != from {
            return false;
        }
        mi_option_set(MI_OPTION_PURGE_DELAY, to);
    }
    true
}

/// Build an instance of one of the exception classes defined in `lac_backlog._exceptions`.
fn package_error(py: Python<'_>, class: &str, args: Bound<'_, PyTuple>) -> PyErr {
    let made = py.import("lac_backlog._exceptions").and_then(|m| m.getattr(class)).and_then(|cls| cls.call1(args));
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// A problem as Python's `Problem` takes it: where, what (the sentence), its kind's code and
/// its facts as a dict (lines as int, dates as datetime.date, names as str).
fn problem_tuple<'py>(py: Python<'py>, p: &Problem) -> PyResult<Bound<'py, PyTuple>> {
    let facts = PyDict::new(py);
    for (name, fact) in &p.facts {
        match fact {
            crate::Fact::Line(n) | crate::Fact::Number(n) => facts.set_item(*name, *n)?,
            crate::Fact::Lines(ns) => facts.set_item(*name, ns.clone())?,
            crate::Fact::Date(d) => facts.set_item(*name, *d)?,
            crate::Fact::Name(s) => facts.set_item(*name, s.as_str())?,
        }
    }
    (p.severity.as_str(), p.file.as_str(), p.line, p.column.as_deref(), p.value.as_str(), p.problem.as_str(), p.kind.code(), facts)
        .into_pyobject(py)
}

fn problem_list<'py>(py: Python<'py>, ps: &[Problem]) -> PyResult<Bound<'py, PyList>> {
    let items = ps.iter().map(|p| problem_tuple(py, p)).collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// A core error as the package's own Python exception (polars' exceptions.rs does the same):
/// `DataError` with every problem, `PolicyError`, or the `OSError` subclass of the I/O error.
impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        Python::attach(|py| to_py(py, e))
    }
}

/// Map a core error to a Python exception.
fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::Io { source, .. } | Error::Write { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
            std::io::ErrorKind::IsADirectory => PyIsADirectoryError::new_err(msg),
            _ => PyOSError::new_err(msg),
        },
        Error::Data { errors, warnings } => match (problem_list(py, &errors), problem_list(py, &warnings)) {
            (Ok(errs), Ok(warns)) => match (msg, errs, warns).into_pyobject(py) {
                Ok(args) => package_error(py, "DataError", args),
                Err(e) => e,
            },
            (Err(e), _) | (_, Err(e)) => e,
        },
        Error::Policy(_) => match (msg,).into_pyobject(py) {
            Ok(args) => package_error(py, "PolicyError", args),
            Err(e) => e,
        },
    }
}

/// The policy: every number and rule the library applies.
#[pyclass(frozen, module = "lac_backlog._native", name = "Policy")]
struct PyPolicy {
    inner: crate::Policy,
    /// The file it was read from, as read (for the manifest); `None` when not from a file.
    source: Option<crate::report::InputRecord>,
}

#[pymethods]
impl PyPolicy {
    /// The statutory policy for England.
    #[staticmethod]
    fn default() -> Self {
        PyPolicy { inner: crate::Policy::default(), source: None }
    }

    /// Read a policy from a TOML file; keys left out take their defaults.
    #[staticmethod]
    fn from_toml(path: PathBuf) -> PyResult<Self> {
        let (inner, record) = crate::Policy::from_toml_file_recorded(&path)?;
        Ok(PyPolicy { inner, source: Some(record) })
    }

    /// Parse a policy from TOML text.
    #[staticmethod]
    fn from_toml_str(text: &str) -> PyResult<Self> {
        crate::Policy::from_toml_str(text).map(|inner| PyPolicy { inner, source: None }).map_err(PyErr::from)
    }

    /// The policy in full as TOML.
    fn to_toml(&self) -> String {
        self.inner.to_toml()
    }

    /// A copy of this policy with more days that are not working days.
    fn with_closures(&self, dates: Vec<NaiveDate>) -> Self {
        let mut inner = self.inner.clone();
        inner.calendar.extra_closures.extend(dates);
        inner.calendar.extra_closures.sort();
        inner.calendar.extra_closures.dedup();
        PyPolicy { inner, source: self.source.clone() }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyPolicy>().is_ok_and(|o| o.get().inner == self.inner)
    }

    /// The share of listed children above which an unknown need signal is warned about
    /// (`data.need_unknown_warn_share`).
    #[getter]
    fn need_unknown_warn_share(&self) -> f64 {
        self.inner.data.need_unknown_warn_share
    }

    /// The file the policy was read from, as read: (path, bytes, SHA-256); None otherwise.
    #[getter]
    fn source_record(&self) -> Option<(String, u64, String)> {
        self.source.as_ref().map(|r| (r.path.clone(), r.bytes, r.sha256.clone()))
    }

    /// Days ahead within which an assessment is `due_soon` (`schedule.due_soon_days`).
    #[getter]
    fn due_soon_days(&self) -> u32 {
        self.inner.schedule.due_soon_days
    }

    /// The smallest group the equality table shows (`equality.min_group_size`).
    #[getter]
    fn equality_min_group_size(&self) -> u32 {
        self.inner.equality.min_group_size
    }

    /// Disclosure control: (smallest count hidden, largest count hidden, symbol).
    #[getter]
    fn suppression_range(&self) -> (u64, u64, String) {
        let s = &self.inner.suppression;
        (s.min_count, s.max_count, s.symbol.clone())
    }

    /// Weeks overdue a child may be and still count as cleared (`simulation.clear_grace_weeks`).
    #[getter]
    fn simulation_clear_grace_weeks(&self) -> u32 {
        self.inner.simulation.clear_grace_weeks
    }

    /// (target, floor, higher is better) for a KPI indicator.
    fn kpi_rag(&self, indicator: &str) -> (f64, f64, bool) {
        self.inner.kpi.rag_for(indicator)
    }

    fn __repr__(&self) -> String {
        let s = &self.inner.schedule;
        let default = self.inner == crate::Policy::default();
        format!(
            "Policy({}IHA {} {}, RHA every {}/{} months, due soon within {} days)",
            if default { "statutory default: " } else { "" },
            s.iha_deadline,
            match s.iha_deadline_unit {
                crate::policy::DeadlineUnit::WorkingDays => "working days",
                crate::policy::DeadlineUnit::CalendarDays => "calendar days",
            },
            s.rha_interval_months_under_cadence_age,
            s.rha_interval_months_from_cadence_age,
            s.due_soon_days
        )
    }
}

/// A validated cohort of children and their assessments.
#[pyclass(frozen, module = "lac_backlog._native", name = "Cohort")]
struct PyCohort {
    inner: Arc<crate::Cohort>,
}

#[pymethods]
impl PyCohort {
    /// Read the children and assessments tables from CSV files. Raises DataError listing every
    /// problem if the data has any error.
    #[staticmethod]
    #[pyo3(signature = (children, assessments, today, skip_bad_rows = false, policy = None))]
    fn from_csv(
        py: Python<'_>,
        children: PathBuf,
        assessments: PathBuf,
        today: NaiveDate,
        skip_bad_rows: bool,
        policy: Option<&Bound<'_, PyPolicy>>,
    ) -> PyResult<Self> {
        let opts = read_options(today, policy);
        py.detach(|| crate::load_csv(&children, &assessments, &opts).and_then(|l| l.into_cohort_with(skip_bad_rows)))
            .map(|c| PyCohort { inner: Arc::new(c) })
            .map_err(PyErr::from)
    }

    /// Read the two tables from DataFrames (pandas, polars, pyarrow: anything with
    /// `__arrow_c_stream__`), with the same column rules and checks as CSV. Problems name the
    /// frame ("children" / "assessments") and row i (from 0) as line i + 2. Columns are checked
    /// whole, rows only where a check fails; `row_checks` checks every row as a CSV row is
    /// (the same result, slower: for tests that hold the two to each other).
    #[staticmethod]
    #[pyo3(signature = (children, assessments, today, skip_bad_rows = false, policy = None, row_checks = false))]
    fn from_arrow(
        py: Python<'_>,
        children: pyo3_arrow::PyTable,
        assessments: pyo3_arrow::PyTable,
        today: NaiveDate,
        skip_bad_rows: bool,
        policy: Option<&Bound<'_, PyPolicy>>,
        row_checks: bool,
    ) -> PyResult<Self> {
        let opts = read_options(today, policy);
        let (cb, cs) = children.into_inner();
        let (ab, asch) = assessments.into_inner();
        let run = move || -> crate::Result<crate::Cohort> {
            let bad = |e: String| unusable_frame("DataFrame", e);
            let ct = crate::arrow_io::ArrowRows::new("children", &cs, &cb, !row_checks).map_err(bad)?;
            let at = crate::arrow_io::ArrowRows::new("assessments", &asch, &ab, !row_checks).map_err(bad)?;
            crate::read::load_rows(ct, at, &opts).into_cohort_with(skip_bad_rows)
        };
        py.detach(run).map(|c| PyCohort { inner: Arc::new(c) }).map_err(PyErr::from)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Number of assessment rows (completed and declined).
    #[getter]
    fn n_assessments(&self) -> usize {
        self.inner.assessment_count()
    }

    /// The child ids, sorted.
    fn child_ids(&self) -> Vec<String> {
        self.inner.children.iter().map(|c| c.id.to_string()).collect()
    }

    /// Warnings found while reading, as (severity, file, line, column, value, problem) tuples.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let w: Vec<Problem> = self.inner.report.warnings().cloned().collect();
        problem_list(py, &w)
    }

    /// The files read, as read: (role, path, bytes, SHA-256 of the bytes read).
    #[getter]
    fn inputs(&self) -> Vec<InputTuple> {
        input_tuples(&self.inner.report)
    }

    /// The errors of the rows left out in the lenient mode (`skip_bad_rows`), as
    /// (severity, file, line, column, value, problem) tuples; empty otherwise.
    #[getter]
    fn skipped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let e: Vec<Problem> = self.inner.report.errors().cloned().collect();
        problem_list(py, &e)
    }

    /// Row counts per input table: file, rows_read, rows_accepted, rows_rejected.
    fn row_counts(&self) -> PyTable {
        PyTable::new(table::counts_table(&self.inner.report))
    }

    fn __repr__(&self) -> String {
        format!("Cohort({} children, {} assessments)", self.inner.len(), self.inner.assessment_count())
    }

    /// Write the cohort as the two input tables (CSV), each file whole or not at all.
    fn write_csv(&self, py: Python<'_>, children: PathBuf, assessments: PathBuf) -> PyResult<()> {
        let cohort = Arc::clone(&self.inner);
        py.detach(move || table::write_cohort_files(&cohort, &children, &assessments)).map_err(PyErr::from)
    }
}

/// A synthetic council (docs/synthetic.md).
#[pyfunction]
#[pyo3(signature = (children, seed, as_of, overdue_share=None, localities=None))]
fn synthetic_cohort(
    py: Python<'_>,
    children: usize,
    seed: u64,
    as_of: NaiveDate,
    overdue_share: Option<f64>,
    localities: Option<Vec<String>>,
) -> PyResult<PyCohort> {
    let mut o = crate::synth::SynthOptions::new(children, seed, as_of);
    o.overdue_share = overdue_share;
    if let Some(l) = localities {
        o.localities = l;
    }
    o.check().map_err(pyo3::exceptions::PyValueError::new_err)?;
    let c = py.detach(move || crate::synth::synthetic_cohort(&o));
    Ok(PyCohort { inner: Arc::new(c) })
}

/// A file read, for Python: (role, path, bytes, SHA-256 of the bytes read).
type InputTuple = (String, String, u64, String);

/// The files a report read, as [`InputTuple`]s.
fn input_tuples(report: &crate::ValidationReport) -> Vec<InputTuple> {
    report.inputs.iter().map(|i| (i.role.clone(), i.path.clone(), i.bytes, i.sha256.clone())).collect()
}

/// Reading on `today` with the IHA rule of `policy` (the default policy's when not given).
fn read_options(today: NaiveDate, policy: Option<&Bound<'_, PyPolicy>>) -> crate::ReadOptions {
    match policy {
        Some(p) => crate::ReadOptions::with_policy(today, &p.get().inner),
        None => crate::ReadOptions::new(today),
    }
}

/// The cohort derived from a 903 folder at `as_of` (default: the return's year end), joined to
/// an assessments CSV if given. Returns (cohort, the date it was derived at).
#[pyfunction]
#[pyo3(signature = (dir, assessments, as_of, today, skip_bad_rows = false, policy = None))]
fn cohort_from_ssda903(
    py: Python<'_>,
    dir: PathBuf,
    assessments: Option<PathBuf>,
    as_of: Option<NaiveDate>,
    today: NaiveDate,
    skip_bad_rows: bool,
    policy: Option<&Bound<'_, PyPolicy>>,
) -> PyResult<(PyCohort, NaiveDate)> {
    let opts = read_options(today, policy);
    let run = || -> crate::Result<(crate::Cohort, NaiveDate)> {
        let (loaded, at) = crate::ssda903::load_dir_cohort(&dir, assessments.as_deref(), as_of, None, &opts)?;
        Ok((loaded.into_cohort_with(skip_bad_rows)?, at))
    };
    let (c, at) = py.detach(run).map_err(PyErr::from)?;
    Ok((PyCohort { inner: Arc::new(c) }, at))
}

/// Check a 903 folder (and an assessments CSV) without stopping at errors: (problems, counts).
#[pyfunction]
#[pyo3(signature = (dir, assessments, year_end, today, policy = None))]
fn validate_ssda903(
    py: Python<'_>,
    dir: PathBuf,
    assessments: Option<PathBuf>,
    year_end: Option<NaiveDate>,
    today: NaiveDate,
    policy: Option<&Bound<'_, PyPolicy>>,
) -> PyResult<(PyTable, PyTable, Vec<InputTuple>)> {
    let opts = read_options(today, policy);
    let run = || -> crate::Result<crate::ValidationReport> {
        Ok(crate::ssda903::load_dir_cohort(&dir, assessments.as_deref(), year_end, year_end, &opts)?.0.report)
    };
    let report = py.detach(run).map_err(PyErr::from)?;
    Ok((PyTable::new(table::problems_table(&report.problems)), PyTable::new(table::counts_table(&report)), input_tuples(&report)))
}

/// The DfE OC2 table for a 903 folder at `year_end`, with the return's row counts and the
/// files read (one reading). Raises DataError if the return has errors.
#[pyfunction]
fn oc2(
    py: Python<'_>,
    dir: PathBuf,
    year_end: NaiveDate,
    suppress: bool,
    policy: &Bound<'_, PyPolicy>,
) -> PyResult<(PyTable, PyTable, Vec<InputTuple>)> {
    let policy = policy.get().inner.clone();
    let run = || -> crate::Result<(table::Table, crate::ValidationReport)> {
        let ret = crate::ssda903::read_dir(&dir, Some(year_end))?;
        ret.check()?;
        let t = crate::oc2::oc2_table(&crate::oc2::oc2_measures(&ret, year_end), suppress, &policy);
        Ok((t, ret.report))
    };
    let (t, report) = py.detach(run)?;
    Ok((PyTable::new(t), PyTable::new(table::counts_table(&report)), input_tuples(&report)))
}

/// The KPI table, the trend table and (if `forecast` > 0) the forecast table.
#[pyfunction]
#[pyo3(signature = (cohort, as_of, months, by, suppress, policy, forecast))]
#[allow(clippy::too_many_arguments)]
fn kpis(
    py: Python<'_>,
    cohort: &Bound<'_, PyCohort>,
    as_of: NaiveDate,
    months: Option<u32>,
    by: Option<String>,
    suppress: bool,
    policy: &Bound<'_, PyPolicy>,
    forecast: u32,
) -> PyResult<(PyTable, PyTable, Option<PyTable>, Vec<String>)> {
    let request = crate::kpi::KpiRequest {
        as_of,
        months,
        by: by.as_deref().unwrap_or("").parse().map_err(pyo3::exceptions::PyValueError::new_err)?,
        suppress,
        forecast,
    };
    let cohort = Arc::clone(&cohort.get().inner);
    let policy = policy.get().inner.clone();
    let r = py.detach(move || crate::kpi::report(&cohort, &request, &policy));
    Ok((PyTable::new(r.indicators), PyTable::new(r.trend), r.forecast.map(PyTable::new), r.warnings))
}

fn scenario_file(text: &str, format: &str) -> crate::Result<crate::simulate::ScenarioFile> {
    match format {
        "json" => crate::simulate::ScenarioFile::from_json_str(text),
        _ => crate::simulate::ScenarioFile::from_toml_str(text),
    }
}

/// A scenario file with every setting filled in, as JSON.
#[pyfunction]
fn scenario_file_json(text: &str, format: &str) -> PyResult<String> {
    let file = scenario_file(text, format)?;
    serde_json::to_string(&file).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// One option of a scenario file (None: the first) with every setting filled in, as JSON.
#[pyfunction]
#[pyo3(signature = (text, format, name=None))]
fn scenario_option(text: &str, format: &str, name: Option<&str>) -> PyResult<String> {
    let file = scenario_file(text, format)?;
    serde_json::to_string(file.option(name)?).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// A Monte Carlo simulation of backlog scenarios, run in batches (so that Python can show
/// progress and stop on Ctrl-C between them): the core's [`crate::simulate::Batch`].
#[pyclass(frozen, module = "lac_backlog._native", name = "Simulation")]
struct PySimulation {
    cohort: Arc<crate::Cohort>,
    batch: std::sync::Mutex<crate::simulate::Batch>,
}

impl PySimulation {
    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, crate::simulate::Batch>> {
        self.batch.lock().map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("simulation state poisoned"))
    }
}

#[pymethods]
impl PySimulation {
    /// `scenarios` is TOML (format "toml") or JSON (format "json") text of a scenario file;
    /// `weeks`, `runs` and `seed` override the file's when given.
    #[new]
    #[pyo3(signature = (cohort, scenarios, format, as_of, policy, weeks=None, runs=None, seed=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        cohort: &Bound<'_, PyCohort>,
        scenarios: &str,
        format: &str,
        as_of: NaiveDate,
        policy: &Bound<'_, PyPolicy>,
        weeks: Option<u32>,
        runs: Option<u32>,
        seed: Option<u64>,
    ) -> PyResult<Self> {
        let mut file = scenario_file(scenarios, format)?;
        file.weeks = weeks.unwrap_or(file.weeks);
        file.runs = runs.unwrap_or(file.runs);
        file.seed = seed.unwrap_or(file.seed);
        let cohort = Arc::clone(&cohort.get().inner);
        let batch = crate::simulate::Batch::new(file, cohort.len(), as_of, &policy.get().inner)?;
        Ok(PySimulation { cohort, batch: std::sync::Mutex::new(batch) })
    }

    /// Runs to do in all (runs x scenarios), and done so far.
    fn progress(&self) -> PyResult<(u32, u32)> {
        Ok(self.lock()?.progress())
    }

    /// Do up to `max_runs` more runs (of the first unfinished scenario), in parallel, without
    /// the GIL. Returns how many were done (0 when finished).
    fn step(&self, py: Python<'_>, max_runs: u32) -> PyResult<u32> {
        let mut guard = self.lock()?;
        let (batch, cohort): (&mut crate::simulate::Batch, &crate::Cohort) = (&mut guard, &self.cohort);
        Ok(py.detach(move || batch.step(cohort, max_runs)))
    }

    /// Scenario names, and weeks, runs and seed.
    fn describe(&self) -> PyResult<(Vec<String>, u32, u32, u64)> {
        let b = self.lock()?;
        let f = &b.file;
        Ok((f.scenario.iter().map(|s| s.name.clone()).collect(), f.weeks, f.runs, f.seed))
    }

    fn summary(&self) -> PyResult<PyTable> {
        Ok(PyTable::new(self.lock()?.summary()))
    }

    /// The name of the option the others are costed against (the file's `baseline`, else the first).
    fn baseline(&self) -> PyResult<String> {
        let b = self.lock()?;
        Ok(b.file.scenario.get(b.file.baseline_index()).map(|s| s.name.clone()).unwrap_or_default())
    }

    fn trajectory(&self) -> PyResult<PyTable> {
        Ok(PyTable::new(self.lock()?.trajectory()))
    }
}

/// The files a 903 folder holding `names` would be read from.
#[pyfunction]
fn ssda903_files_read(names: Vec<String>) -> Vec<String> {
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    crate::ssda903::files_read(&refs).into_iter().map(str::to_string).collect()
}

/// `ps_` and 20 hex digits of HMAC-SHA256(key, child_id).
#[pyfunction]
fn pseudonym(key: &[u8], child_id: &str) -> String {
    crate::privacy::PseudonymKey::new(key).pseudonym(child_id)
}

/// HMAC-SHA256(key, a fixed label) in hex: names a key without revealing it.
#[pyfunction]
fn key_fingerprint(key: &[u8]) -> String {
    crate::privacy::PseudonymKey::new(key).fingerprint()
}

/// A problem's (value, text) with the value masked (`--hide-values`).
#[pyfunction]
#[pyo3(signature = (line, value, problem))]
fn hidden_problem(line: Option<u64>, value: &str, problem: &str) -> (String, String) {
    crate::privacy::hidden_problem(line, value, problem)
}

/// A date of birth as its month, `YYYY-MM` (other text: `[hidden]`).
#[pyfunction]
fn dob_month(text: &str) -> String {
    crate::privacy::dob_month(text)
}

/// The library's text with dates of birth reduced to their month.
#[pyfunction]
fn reduce_birth_dates(text: &str) -> String {
    crate::privacy::reduce_birth_dates(text)
}

/// Reviews falling due a week among the children in scope at `as_of`, by the policy's cadence.
#[pyfunction]
fn review_demand_per_week(cohort: &Bound<'_, PyCohort>, as_of: NaiveDate, policy: &Bound<'_, PyPolicy>) -> f64 {
    crate::simulate::review_demand_per_week(&cohort.get().inner, as_of, &policy.get().inner)
}

/// The smallest weekly face-to-face capacity meeting a goal with a probability; with every
/// capacity tried and its success share. `goal` is ("clear_by", date) or ("up_to_date", pct).
#[pyfunction]
#[pyo3(signature = (cohort, scenarios, format, as_of, policy, goal_date, goal_pct, weeks, runs, seed, probability, name=None))]
#[allow(clippy::too_many_arguments)]
fn capacity_needed(
    py: Python<'_>,
    cohort: &Bound<'_, PyCohort>,
    scenarios: &str,
    format: &str,
    as_of: NaiveDate,
    policy: &Bound<'_, PyPolicy>,
    goal_date: Option<NaiveDate>,
    goal_pct: Option<f64>,
    weeks: u32,
    runs: u32,
    seed: u64,
    probability: f64,
    name: Option<&str>,
) -> PyResult<CapacityTuple> {
    use crate::simulate::Goal;
    let file = scenario_file(scenarios, format).map_err(PyErr::from)?;
    let goal = Goal::of(goal_date, goal_pct)?;
    let cohort = Arc::clone(&cohort.get().inner);
    let policy = policy.get().inner.clone();
    let base = file.option(name)?.clone();
    let costs = file.costs.clone();
    py.detach(move || {
        let setup = crate::simulate::Setup { as_of, weeks, seed, policy: &policy, costs: &costs, deterministic: false };
        crate::simulate::capacity_needed(&cohort, &base, &setup, runs, goal, probability)
    })
    .map(|a| (a.face_to_face_per_week, a.tried, a.bound, a.not_reachable, a.clinics_per_week, a.commissioned_cost_per_year))
    .map_err(PyErr::from)
}

/// A capacity answer as Python takes it: (capacity, tried, bound, not reachable because,
/// clinics a week, commissioned cost a year).
type CapacityTuple = (Option<u32>, Vec<(u32, f64)>, u32, Option<String>, Option<u32>, Option<f64>);

/// A result table: named columns of equal length.
#[pyclass(frozen, module = "lac_backlog._native", name = "Table")]
struct PyTable {
    /// Shared: Arrow exports hold the table's text without copying it (`arrow_io::record_batch`).
    inner: Arc<table::Table>,
}

impl PyTable {
    fn new(t: table::Table) -> PyTable {
        PyTable { inner: Arc::new(t) }
    }
}

#[pymethods]
impl PyTable {
    /// Column names in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The rows whose `column` is `value` (None: blank), in order.
    #[pyo3(signature = (column, value=None))]
    fn rows_where(&self, column: &str, value: Option<&str>) -> PyTable {
        PyTable::new(self.inner.rows_where(column, value))
    }

    /// The table with column `old` named `new`, cells `from` written `to`.
    #[pyo3(signature = (old, new, from_, to, /))]
    fn renamed(&self, old: &str, new: &str, from_: &str, to: &str) -> PyTable {
        PyTable::new(self.inner.renamed(old, new, from_, to))
    }

    /// The columns CSV output has (a suppressed table's `suppressed` flag is for data frames only).
    #[getter]
    fn csv_columns(&self) -> Vec<String> {
        self.inner.csv_columns().into_iter().map(str::to_string).collect()
    }

    fn __len__(&self) -> usize {
        self.inner.n_rows()
    }

    /// The columns as a dict of lists (dates as datetime.date, blanks as None): the columns
    /// named (every column when None; a name no column has is left out), the first `rows` rows
    /// (every row when None). A worklist's reasons are written only for the rows asked for.
    #[pyo3(signature = (columns=None, rows=None))]
    fn to_pydict<'py>(&self, py: Python<'py>, columns: Option<Vec<String>>, rows: Option<usize>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let n = rows.map_or(self.inner.n_rows(), |r| r.min(self.inner.n_rows()));
        let wanted = |name: &str| columns.as_ref().is_none_or(|names| names.iter().any(|c| c == name));
        for c in self.inner.columns.iter().filter(|c| wanted(&c.name)) {
            // The first n rows (a column is never shorter than the table; if one were, all of it).
            let first = |len: usize| ..n.min(len);
            let list = match &c.data {
                ColumnData::Str(v) => v[first(v.len())].into_pyobject(py)?,
                ColumnData::Text(t) => (0..n).map(|i| t.get(i)).collect::<Vec<_>>().into_pyobject(py)?,
                // Every row: written whole on every core, without holding the GIL.
                ColumnData::Reasons(r) if n == r.len() => {
                    let t = py.detach(|| r.text());
                    (0..n).map(|i| t.get(i)).collect::<Vec<_>>().into_pyobject(py)?
                }
                ColumnData::Reasons(_) => (0..n).map(|i| c.data.cell(i)).collect::<Vec<_>>().into_pyobject(py)?,
                ColumnData::Int(v) => v[first(v.len())].into_pyobject(py)?,
                ColumnData::Float(v) => v[first(v.len())].into_pyobject(py)?,
                ColumnData::Date(v) => v[first(v.len())].into_pyobject(py)?,
            };
            d.set_item(&c.name, list)?;
        }
        Ok(d)
    }

    /// The table through the Arrow PyCapsule interface (pyarrow, polars and pandas read it).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, pyo3::types::PyCapsule>>,
    ) -> PyResult<Bound<'py, pyo3::types::PyCapsule>> {
        let table = Arc::clone(&self.inner);
        let batch = py.detach(move || crate::arrow_io::record_batch(&table)).map_err(pyo3::exceptions::PyValueError::new_err)?;
        let schema = batch.schema();
        let field = std::sync::Arc::new(arrow_schema::Field::new_struct("", schema.fields().clone(), false));
        let arrays = std::iter::once(Ok(std::sync::Arc::new(arrow_array::StructArray::from(batch)) as arrow_array::ArrayRef));
        let reader = Box::new(pyo3_arrow::ffi::ArrayIterator::new(arrays, field));
        pyo3_arrow::ffi::to_stream_pycapsule(py, reader, requested_schema).map_err(PyErr::from)
    }

    /// The table for sharing beyond the care team ([`crate::privacy`]): child ids as keyed
    /// pseudonyms, dates of birth as their month, a clinician's words withheld, by each
    /// column's role.
    fn pseudonymised(&self, py: Python<'_>, key: &[u8]) -> PyTable {
        let (table, key) = (Arc::clone(&self.inner), crate::privacy::PseudonymKey::new(key));
        PyTable::new(py.detach(move || table.pseudonymised(&key)))
    }

    /// A problems table with every data value masked (`--hide-values`).
    fn values_hidden(&self) -> PyTable {
        PyTable::new(self.inner.values_hidden())
    }

    /// The table as CSV text (header and rows); text a spreadsheet would run as a formula gets
    /// a leading `'` unless `raw`.
    #[pyo3(signature = (raw=false))]
    fn to_csv(&self, raw: bool) -> String {
        self.inner.to_csv_string_as(csv_cells(raw))
    }

    /// Write the table as a CSV file, whole or not at all (formulas neutralised unless `raw`).
    #[pyo3(signature = (path, raw=false))]
    fn write_csv(&self, py: Python<'_>, path: PathBuf, raw: bool) -> PyResult<()> {
        py.detach(|| self.inner.write_csv_file_as(&path, csv_cells(raw))).map_err(PyErr::from)
    }
}

fn csv_cells(raw: bool) -> table::CsvCells {
    if raw {
        table::CsvCells::Raw
    } else {
        table::CsvCells::Safe
    }
}

/// Checked clinician overrides, ready for `triage`.
#[pyclass(frozen, module = "lac_backlog._native", name = "Overrides")]
struct PyOverrides {
    inner: Vec<crate::triage::Override>,
    warnings: Vec<Problem>,
    /// The file they were read from, as read (for the manifest); `None` from memory.
    source: Option<crate::report::InputRecord>,
}

#[pymethods]
impl PyOverrides {
    /// Read and check an overrides CSV (child_id, tier and/or modality, reason, decided_by,
    /// optional decided_on) against the cohort and the policy's tiers. Raises DataError.
    #[staticmethod]
    fn from_csv(path: PathBuf, cohort: &Bound<'_, PyCohort>, policy: &Bound<'_, PyPolicy>) -> PyResult<Self> {
        let bytes = std::fs::read(&path).map_err(|source| PyErr::from(Error::Io { path: path.display().to_string(), source }))?;
        let mut read = Self::from_bytes(&path.display().to_string(), &bytes, cohort, policy)?;
        read.source = Some(crate::report::InputRecord::of("overrides", &path, &bytes));
        Ok(read)
    }

    /// The same from CSV bytes in memory; `name` is what problems call the file.
    #[staticmethod]
    fn from_bytes(name: &str, data: &[u8], cohort: &Bound<'_, PyCohort>, policy: &Bound<'_, PyPolicy>) -> PyResult<Self> {
        crate::triage::read_overrides(name, data, &cohort.get().inner, &policy.get().inner)
            .map(|(inner, warnings)| PyOverrides { inner, warnings, source: None })
            .map_err(PyErr::from)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        problem_list(py, &self.warnings)
    }

    /// The file they were read from, as read: (path, bytes, SHA-256); None from memory.
    #[getter]
    fn source_record(&self) -> Option<(String, u64, String)> {
        self.source.as_ref().map(|r| (r.path.clone(), r.bytes, r.sha256.clone()))
    }
}

/// The triage worklist: who first, and how, with the reasons.
#[pyclass(frozen, module = "lac_backlog._native", name = "Worklist")]
struct PyWorklist {
    /// Shared with its tables, whose reasons it writes when they are read.
    inner: Arc<crate::triage::Worklist>,
    /// The cohort it was made from (the nurse's workbook reads dates of birth and localities).
    cohort: Arc<crate::Cohort>,
}

#[pymethods]
impl PyWorklist {
    /// The worklist as a table (docs/interface.md `triage` columns first).
    fn table(&self) -> PyTable {
        PyTable::new(table::worklist_table(&self.inner))
    }

    /// The nurse's worklist: plain-English headers and values, the child's date of birth,
    /// locality and last assessment, and empty "Booked on" and "Notes" columns.
    fn nurse_table(&self) -> PyTable {
        PyTable::new(crate::workbook::nurse_table(&self.inner, &self.cohort))
    }

    /// The rows whose tier, age band, format, locality and status are among those given (an
    /// empty list keeps every row), ranks kept. Raises ValueError for a value no row could have.
    fn filtered(
        &self,
        tiers: Vec<String>,
        age_bands: Vec<String>,
        modalities: Vec<String>,
        localities: Vec<String>,
        statuses: Vec<String>,
    ) -> PyResult<PyWorklist> {
        let f = crate::workbook::WorklistFilter { tiers, age_bands, modalities, localities, statuses };
        let unknown = f.unknown(&self.inner, &self.cohort);
        if !unknown.is_empty() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!("no worklist row can have {}", unknown.join(", "))));
        }
        Ok(PyWorklist { inner: Arc::new(crate::workbook::filtered(&self.inner, &self.cohort, &f)), cohort: Arc::clone(&self.cohort) })
    }

    /// Each tier's name, booking window in days and lowest score, in order.
    fn tiers(&self) -> Vec<(String, u32, u32)> {
        self.inner.policy.triage.tiers.iter().map(|t| (t.name.clone(), t.see_within_days, t.min_score)).collect()
    }

    fn __len__(&self) -> usize {
        self.inner.rows.len()
    }

    /// A readable account of one child's row. Raises KeyError if the child is not on the list.
    fn explain(&self, child_id: &str) -> PyResult<String> {
        match self.inner.get(child_id) {
            Some(row) => Ok(self.inner.explain(row)),
            None => Err(pyo3::exceptions::PyKeyError::new_err(format!(
                "child {child_id:?} is not on the worklist (not overdue or due soon at {}, or not in the cohort)",
                self.inner.as_of
            ))),
        }
    }

    /// Overrides not applied because their child is not on the worklist: (child_id, line).
    fn unapplied_overrides(&self) -> Vec<(String, u64)> {
        self.inner.unapplied.iter().map(|o| (o.child_id.clone(), o.line)).collect()
    }

    /// Applied overrides below a safeguard: (child_id, line of the overrides, safeguard).
    fn below_safeguards(&self) -> Vec<(String, u64, String)> {
        self.inner
            .below_safeguards()
            .map(|(r, g)| (self.inner.child_id(r).to_string(), r.applied_override.as_ref().map_or(0, |o| o.line), g.to_string()))
            .collect()
    }

    /// For each row in order: (tier set by: `score`, `red_flag:<name>` or `iha_lane`; the
    /// tier's score threshold).
    fn tiers_by(&self) -> Vec<(String, u32)> {
        let tiers = &self.inner.policy.triage.tiers;
        self.inner.rows.iter().map(|r| (self.inner.tier_by(r), tiers[r.rule_tier].min_score)).collect()
    }

    /// Overrides, applied or not, with no decided_on date: (child_id, line).
    fn undated_overrides(&self) -> Vec<(String, u64)> {
        let applied = self.inner.rows.iter().filter_map(|r| r.applied_override.as_deref());
        applied.chain(self.inner.unapplied.iter()).filter(|o| o.decided_on.is_none()).map(|o| (o.child_id.clone(), o.line)).collect()
    }

    /// How complete the need signals are: signal, known, unknown, unknown_pct.
    fn completeness(&self) -> PyTable {
        PyTable::new(table::completeness_table(&self.inner))
    }
}

/// The triage worklist at `as_of`.
#[pyfunction]
#[pyo3(signature = (cohort, as_of, policy, overrides=None))]
fn triage(
    py: Python<'_>,
    cohort: &Bound<'_, PyCohort>,
    as_of: NaiveDate,
    policy: &Bound<'_, PyPolicy>,
    overrides: Option<&Bound<'_, PyOverrides>>,
) -> PyWorklist {
    let cohort = Arc::clone(&cohort.get().inner);
    let policy = policy.get().inner.clone();
    let ovr: Vec<crate::triage::Override> = overrides.map(|o| o.get().inner.clone()).unwrap_or_default();
    let from = Arc::clone(&cohort);
    let wl = py.detach(move || crate::triage::triage(&from, as_of, &policy, &ovr));
    PyWorklist { inner: Arc::new(wl), cohort }
}

/// A warning when the extract looks stale at `as_of` (policy `data.stale_after_days`), else None.
#[pyfunction]
#[pyo3(signature = (cohort, as_of, policy, hide_date = false))]
fn stale_data(cohort: &Bound<'_, PyCohort>, as_of: NaiveDate, policy: &Bound<'_, PyPolicy>, hide_date: bool) -> Option<String> {
    crate::schedule::StaleData::of(&cohort.get().inner, as_of, &policy.get().inner).map(|s| s.message(hide_date))
}

/// One cohort of several councils (docs/councils.md): ids prefixed by the council's name and
/// "/", each child's locality its council.
#[pyfunction]
fn merged_cohort(names: Vec<String>, cohorts: Vec<Bound<'_, PyCohort>>) -> PyResult<PyCohort> {
    let inner: Vec<Arc<crate::Cohort>> = cohorts.iter().map(|c| Arc::clone(&c.get().inner)).collect();
    let parts: Vec<(&str, &crate::Cohort)> = names.iter().map(String::as_str).zip(inner.iter().map(|c| c.as_ref())).collect();
    Ok(PyCohort { inner: Arc::new(crate::councils::merged(&parts)?) })
}

/// Tables of several councils one under another, with a `council` column first.
#[pyfunction]
fn stacked_tables(names: Vec<String>, tables: Vec<Bound<'_, PyTable>>) -> PyResult<PyTable> {
    let inner: Vec<Arc<table::Table>> = tables.iter().map(|t| Arc::clone(&t.borrow().inner)).collect();
    let parts: Vec<(String, &table::Table)> = names.into_iter().zip(inner.iter().map(|t| t.as_ref())).collect();
    Ok(PyTable::new(crate::councils::stacked(&parts)?))
}

/// A DataFrame that cannot be read as rows (a column of a type Arrow cannot cast), as the
/// data error that `file` names.
fn unusable_frame(file: &str, why: String) -> crate::Error {
    crate::Error::Data {
        errors: vec![Problem::new(crate::Severity::Error, crate::ProblemKind::UnusableFrame, file, None, None, "", why)],
        warnings: vec![],
    }
}

/// The pathway's events (docs/pathway.md), read and checked once against one cohort.
#[pyclass(frozen, module = "lac_backlog._native", name = "Events")]
pub struct PyEvents {
    events: Arc<Vec<crate::pathway::Event>>,
    cohort: Arc<crate::Cohort>,
}

#[pymethods]
impl PyEvents {
    /// Read an events CSV's bytes (`name` is what problems call it) against `cohort`: the
    /// events and the reading's warnings; errors raise DataError.
    #[staticmethod]
    fn from_csv<'py>(
        py: Python<'py>,
        cohort: &Bound<'_, PyCohort>,
        name: &str,
        data: &[u8],
        as_of: NaiveDate,
    ) -> PyResult<(PyEvents, Bound<'py, PyList>)> {
        let cohort = Arc::clone(&cohort.get().inner);
        let (events, warnings) = crate::pathway::read_events(name, data, &cohort, as_of)?;
        Ok((PyEvents { events: Arc::new(events), cohort }, problem_list(py, &warnings)?))
    }

    /// Read an events DataFrame (Arrow) against `cohort`, as [`PyEvents::from_csv`]; row i is
    /// line i + 2.
    #[staticmethod]
    fn from_arrow<'py>(
        py: Python<'py>,
        cohort: &Bound<'_, PyCohort>,
        frame: pyo3_arrow::PyTable,
        as_of: NaiveDate,
    ) -> PyResult<(PyEvents, Bound<'py, PyList>)> {
        let cohort = Arc::clone(&cohort.get().inner);
        let (batches, schema) = frame.into_inner();
        let rows = crate::arrow_io::ArrowRows::new("events", &schema, &batches, false).map_err(|e| unusable_frame("events", e))?;
        let (events, warnings) = crate::pathway::read_event_rows(rows, &cohort, as_of, Vec::new())?;
        Ok((PyEvents { events: Arc::new(events), cohort }, problem_list(py, &warnings)?))
    }

    fn __len__(&self) -> usize {
        self.events.len()
    }

    /// A synthetic council's events over the year to `as_of` (docs/synthetic.md).
    #[staticmethod]
    fn synthetic(py: Python<'_>, cohort: &Bound<'_, PyCohort>, as_of: NaiveDate, seed: u64) -> PyEvents {
        let cohort = Arc::clone(&cohort.get().inner);
        let events = py.detach(|| crate::synth::synthetic_events(&cohort, as_of, seed));
        PyEvents { events: Arc::new(events), cohort }
    }

    /// The events as a table: child_id, event, date.
    fn table(&self) -> PyTable {
        PyTable::new(crate::pathway::events_table(&self.cohort, &self.events))
    }

    /// The events as canonical CSV (child_id, event, date; sorted by child, date and line):
    /// what identifies events read from a DataFrame in a manifest.
    fn canonical_csv(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing to memory cannot fail.
        let _ = crate::pathway::write_events_csv(&self.cohort, &self.events, &mut out);
        out
    }
}

impl PyEvents {
    /// The events, if they were read against this cohort (their children are its indexes).
    fn of(&self, cohort: &Arc<crate::Cohort>) -> PyResult<Arc<Vec<crate::pathway::Event>>> {
        if Arc::ptr_eq(&self.cohort, cohort) {
            Ok(Arc::clone(&self.events))
        } else {
            Err(pyo3::exceptions::PyValueError::new_err("these events were read against another cohort: read them with this one"))
        }
    }
}

/// The pathway's actions at one date (docs/pathway.md), with what each provider team is sent.
#[pyclass(frozen, module = "lac_backlog._native", name = "Actions")]
pub struct PyActions {
    actions: Vec<crate::pathway::Action>,
    cohort: Arc<crate::Cohort>,
    /// The follow-up checks the data did not allow, as sentences.
    #[pyo3(get)]
    not_checked: Vec<String>,
    /// Young people who turned 18 in the year to as_of with an assessment overdue.
    #[pyo3(get)]
    turned_18_overdue: usize,
    /// ... and those who left care without a health summary recorded (events permitting).
    #[pyo3(get)]
    left_without_summary: usize,
}

#[pymethods]
impl PyActions {
    /// The whole list: child_id, action, owner, provider, due_on, days_late, step, reason.
    fn table(&self) -> PyTable {
        PyTable::new(crate::pathway::actions_table(&self.cohort, &self.actions))
    }

    /// The providers the cohort names, sorted, and None (not recorded) last when some child
    /// has none.
    fn providers(&self) -> Vec<Option<String>> {
        crate::pathway::providers(&self.cohort)
    }

    /// One provider team's file as CSV codes, with each row's section.
    #[pyo3(signature = (provider))]
    fn team_table(&self, provider: Option<&str>) -> PyTable {
        PyTable::new(crate::pathway::team_table(&self.cohort, &self.actions, provider))
    }

    /// One provider team's workbook: (sheet title, table in words) a section.
    #[pyo3(signature = (provider, weeks))]
    fn team_sheets(&self, provider: Option<&str>, weeks: u32) -> Vec<(String, PyTable)> {
        crate::pathway::team_sheets(&self.cohort, &self.actions, provider, weeks).into_iter().map(|(s, t)| (s, PyTable::new(t))).collect()
    }
}

/// The pathway's actions due by `as_of` + `ahead_days` or late (docs/pathway.md).
#[pyfunction]
fn actions(
    py: Python<'_>,
    cohort: &Bound<'_, PyCohort>,
    events: &Bound<'_, PyEvents>,
    as_of: NaiveDate,
    ahead_days: i64,
    policy: &Bound<'_, PyPolicy>,
) -> PyResult<PyActions> {
    let cohort = Arc::clone(&cohort.get().inner);
    let events = events.get().of(&cohort)?;
    let policy = policy.get().inner.clone();
    Ok(py.detach(move || {
        let actions = crate::pathway::actions(&cohort, &events, as_of, ahead_days, &policy);
        let not_checked = crate::pathway::FollowUps::of(&cohort).not_checked();
        let turned_18_overdue = crate::pathway::turned_18_overdue(&cohort, as_of, &policy).len();
        let left_without_summary = crate::pathway::left_without_summary(&cohort, &events, as_of, &policy).len();
        PyActions { actions, cohort, not_checked, turned_18_overdue, left_without_summary }
    }))
}

/// The stage indicators at `as_of` (docs/pathway.md), by provider when asked, suppressed when
/// asked.
#[pyfunction]
fn stages(
    py: Python<'_>,
    cohort: &Bound<'_, PyCohort>,
    events: &Bound<'_, PyEvents>,
    as_of: NaiveDate,
    by_provider: bool,
    suppress: bool,
    policy: &Bound<'_, PyPolicy>,
) -> PyResult<PyTable> {
    let cohort = Arc::clone(&cohort.get().inner);
    let events = events.get().of(&cohort)?;
    let policy = policy.get().inner.clone();
    Ok(py.detach(move || {
        let rows = crate::pathway::stages(&cohort, &events, as_of, by_provider, &policy);
        PyTable::new(crate::pathway::stage_table(&rows, by_provider, suppress, &policy))
    }))
}

/// The equality impact at `as_of` (docs/equality.md).
#[pyfunction]
fn equality(py: Python<'_>, cohort: &Bound<'_, PyCohort>, as_of: NaiveDate, policy: &Bound<'_, PyPolicy>) -> PyTable {
    let cohort = Arc::clone(&cohort.get().inner);
    let policy = policy.get().inner.clone();
    PyTable::new(py.detach(move || crate::equality::equality_table(&cohort, as_of, &policy)))
}

/// The status of every child at `as_of` (docs/interface.md section 3).
#[pyfunction]
fn status(py: Python<'_>, cohort: &Bound<'_, PyCohort>, as_of: NaiveDate, policy: &Bound<'_, PyPolicy>) -> PyTable {
    let cohort = Arc::clone(&cohort.get().inner);
    let policy = policy.get().inner.clone();
    let t = py.detach(move || {
        let rows = crate::status_all(&cohort, as_of, &policy);
        table::status_table(&cohort, &rows)
    });
    PyTable::new(t)
}

/// Read and check the two CSV tables without stopping at errors. Returns the problems table
/// and the row counts table; raises OSError only if a file cannot be read.
#[pyfunction]
#[pyo3(signature = (children, assessments, today, policy = None))]
fn validate_csv(
    py: Python<'_>,
    children: PathBuf,
    assessments: PathBuf,
    today: NaiveDate,
    policy: Option<&Bound<'_, PyPolicy>>,
) -> PyResult<(PyTable, PyTable, Vec<InputTuple>)> {
    let opts = read_options(today, policy);
    let loaded = py.detach(|| crate::load_csv(&children, &assessments, &opts)).map_err(PyErr::from)?;
    let r = &loaded.report;
    Ok((PyTable::new(table::problems_table(&r.problems)), PyTable::new(table::counts_table(r)), input_tuples(r)))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crate::VERSION)?;
    m.add_class::<PyPolicy>()?;
    m.add_class::<PyCohort>()?;
    m.add_class::<PyTable>()?;
    m.add_class::<PyOverrides>()?;
    m.add_class::<PyWorklist>()?;
    m.add_class::<PyEvents>()?;
    m.add_class::<PyActions>()?;
    m.add_function(wrap_pyfunction!(triage, m)?)?;
    m.add_function(wrap_pyfunction!(return_memory_promptly, m)?)?;
    m.add_function(wrap_pyfunction!(stale_data, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_from_ssda903, m)?)?;
    m.add_function(wrap_pyfunction!(validate_ssda903, m)?)?;
    m.add_function(wrap_pyfunction!(oc2, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_cohort, m)?)?;
    m.add_function(wrap_pyfunction!(kpis, m)?)?;
    m.add_class::<PySimulation>()?;
    m.add_function(wrap_pyfunction!(capacity_needed, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_option, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_file_json, m)?)?;
    m.add_function(wrap_pyfunction!(review_demand_per_week, m)?)?;
    m.add_function(wrap_pyfunction!(pseudonym, m)?)?;
    m.add_function(wrap_pyfunction!(ssda903_files_read, m)?)?;
    m.add_function(wrap_pyfunction!(key_fingerprint, m)?)?;
    m.add_function(wrap_pyfunction!(hidden_problem, m)?)?;
    m.add_function(wrap_pyfunction!(dob_month, m)?)?;
    m.add_function(wrap_pyfunction!(reduce_birth_dates, m)?)?;
    m.add_function(wrap_pyfunction!(status, m)?)?;
    m.add_function(wrap_pyfunction!(equality, m)?)?;
    m.add_function(wrap_pyfunction!(actions, m)?)?;
    m.add_function(wrap_pyfunction!(stages, m)?)?;
    m.add_function(wrap_pyfunction!(merged_cohort, m)?)?;
    m.add_function(wrap_pyfunction!(stacked_tables, m)?)?;
    m.add_function(wrap_pyfunction!(validate_csv, m)?)?;
    Ok(())
}
