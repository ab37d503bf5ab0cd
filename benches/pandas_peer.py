"""A pandas peer: the statutory schedule, the default priority score, the tiers and the worklist
order, written the way a good analyst would (vectorised pandas and numpy, no Python loops over
rows). `benches/bench_python.py` races it against lac-backlog; `check_agreement` makes sure the
race is fair (same due dates, statuses and order)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

FLAGS = {
    "complex_health_needs": 25,
    "disability": 20,
    "mental_health_concern": 20,
    "self_harm": 30,
    "substance_misuse": 15,
    "pregnant_or_parent": 20,
    "exploitation_risk": 25,
    "youth_justice": 10,
    "out_of_area": 10,
    "uasc": 15,
}
#: The need signals: a blank one is unknown, never no.
NEED_SIGNALS = tuple(FLAGS)[:8]


def _easter(y: int) -> dt.date:
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    return dt.date(y, (h + l_ - 7 * m + 114) // 31, (h + l_ - 7 * m + 114) % 31 + 1)


def bank_holidays(first: int = 1990, last: int = 2100) -> np.ndarray:
    """England and Wales bank holidays (the regular rules and the irregular days since 1995)."""

    def next_weekday(d: dt.date) -> dt.date:
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        return d

    days = set()
    for y in range(first, last + 1):
        e = _easter(y)
        may = [dt.date(y, 5, d) for d in range(1, 32)]
        aug = [dt.date(y, 8, d) for d in range(1, 32)]
        xmas = next_weekday(dt.date(y, 12, 25))
        boxing = next_weekday(dt.date(y, 12, 26))
        if boxing == xmas:
            boxing = next_weekday(boxing + dt.timedelta(days=1))
        days |= {
            next_weekday(dt.date(y, 1, 1)),
            e - dt.timedelta(days=2),
            e + dt.timedelta(days=1),
            next(d for d in may if d.weekday() == 0),
            [d for d in may if d.weekday() == 0][-1],
            [d for d in aug if d.weekday() == 0][-1],
            xmas,
            boxing,
        }
    moved = {
        dt.date(1995, 5, 1): dt.date(1995, 5, 8),
        dt.date(2002, 5, 27): dt.date(2002, 6, 4),
        dt.date(2012, 5, 28): dt.date(2012, 6, 4),
        dt.date(2020, 5, 4): dt.date(2020, 5, 8),
        dt.date(2022, 5, 30): dt.date(2022, 6, 2),
    }
    for old, new in moved.items():
        days.discard(old)
        days.add(new)
    days |= {
        dt.date(1999, 12, 31),
        dt.date(2002, 6, 3),
        dt.date(2011, 4, 29),
        dt.date(2012, 6, 5),
        dt.date(2022, 6, 3),
        dt.date(2022, 9, 19),
        dt.date(2023, 5, 8),
    }
    return np.array(sorted(days), dtype="datetime64[D]")


HOLIDAYS = bank_holidays()


def _years(start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole years from start to end by anniversary (29 February counts from 1 March)."""
    before = (end.dt.month < start.dt.month) | ((end.dt.month == start.dt.month) & (end.dt.day < start.dt.day))
    return end.dt.year - start.dt.year - before.astype(int)


def worklist(children: pd.DataFrame, assessments: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Every child's status, and the overdue and due-soon children in worklist order with tier and
    score, as a pandas DataFrame."""
    t = pd.Timestamp(as_of)
    c = children.copy()
    for col in ("date_of_birth", "care_start", "care_end"):
        c[col] = pd.to_datetime(c[col])
    # Columns read as text (`pd.read_csv(dtype=str)`, as issue 23 races) become numbers first.
    for col in ("sdq_score", "placement_moves_12m", "missing_episodes_12m", "missing", *FLAGS):
        if col in c and not pd.api.types.is_numeric_dtype(c[col]):
            c[col] = pd.to_numeric(c[col])
    a = assessments.copy()
    a["completed_on"] = pd.to_datetime(a["completed_on"])
    done = a[(a["outcome"].fillna("completed") != "declined") & (a["completed_on"] <= t)]
    last = done.groupby("child_id")["completed_on"].max()
    c["last"] = c["child_id"].map(last)
    c["window"] = c["care_start"] - pd.DateOffset(months=3)
    is_iha = c["last"].isna() | (c["last"] < c["window"])
    # IHA: the 20th working day after care_start (roll back so care_start is day 0).
    iha = np.busday_offset(c["care_start"].values.astype("datetime64[D]"), 20, roll="backward", holidays=HOLIDAYS)
    young = _years(c["date_of_birth"], c["last"].fillna(c["date_of_birth"])) < 5
    rha6 = c["last"] + pd.DateOffset(months=6)
    rha12 = c["last"] + pd.DateOffset(months=12)
    c["due"] = np.where(is_iha, pd.to_datetime(iha), np.where(young, rha6, rha12))
    c["due"] = pd.to_datetime(c["due"])
    c["next"] = np.where(is_iha, "IHA", "RHA")
    b18 = c["date_of_birth"] + pd.DateOffset(years=18)
    leap = (c["date_of_birth"].dt.month == 2) & (c["date_of_birth"].dt.day == 29) & (b18.dt.day == 28)
    b18 = b18 + pd.to_timedelta(leap.astype(int), unit="D")
    age = _years(c["date_of_birth"], pd.Series(t, index=c.index))
    ls = c["legal_status"].fillna("").str.upper()
    not_required = (
        (c["care_start"] > t)
        | (c["care_end"].notna() & (c["care_end"] <= t))
        | ls.isin(["V3", "V4"])
        | (t >= b18)
        | (c["due"] >= b18)
    )
    days = (t - c["due"]).dt.days
    c["status"] = np.select(
        [not_required, days > 0, days >= -28], ["not_required", "overdue", "due_soon"], "up_to_date"
    )
    c["days_overdue"] = np.where(c["status"] == "overdue", days, 0)
    c["age_band"] = np.select([age < 5, age >= 17], ["under_5", "17_plus"], "5_to_16")
    # The default score.
    sdq = c["sdq_score"]
    score = np.where(sdq >= 17, 20, np.where(sdq >= 14, 8, 0))
    for f, w in FLAGS.items():
        score = score + c[f].fillna(0).astype(int) * w
    score = (
        score
        + np.minimum(c["placement_moves_12m"].fillna(0) * 5, 20)
        + np.minimum(c["missing_episodes_12m"].fillna(0) * 5, 20)
    )
    score = score + c["missing"].fillna(0).astype(int) * 10
    # A need signal not recorded (or no SDQ at 4 to 16): 8 points once (unknown is not no).
    unknown = c[list(NEED_SIGNALS)].isna().any(axis=1) | (age.between(4, 16) & c["sdq_score"].isna())
    score = score + np.where(unknown, 8, 0)
    score = score + np.where(c["age_band"] != "5_to_16", 15, 0)
    overdue = c["status"] == "overdue"
    iha_overdue = overdue & (c["next"] == "IHA")
    score = score + np.where(iha_overdue, 25, 0) + np.where(overdue, np.minimum(c["days_overdue"] // 7, 30), 0)
    c["score"] = score.astype(int)
    tier = np.select([c["score"] >= 70, c["score"] >= 45, c["score"] >= 20], [0, 1, 2], 3)
    p1 = overdue & ((c["self_harm"].fillna(0) == 1) | (c["exploitation_risk"].fillna(0) == 1))
    p2 = (overdue & (c["pregnant_or_parent"].fillna(0) == 1)) | (iha_overdue & (c["age_band"] == "under_5"))
    listed_iha = c["next"] == "IHA"
    p1 = (
        p1
        | (listed_iha & (age < 1))
        | (listed_iha & (c["uasc"].fillna(0).astype(int) == 1))
        | (c["missing_episodes_12m"].fillna(0) >= 3)
    )
    # Every listed IHA is at least P2 (the IHA lane).
    p2 = p2 | listed_iha
    tier = np.where(p1, 0, np.where(p2, np.minimum(tier, 1), tier))
    c["tier"] = pd.Series(tier, index=c.index).map({0: "P1", 1: "P2", 2: "P3", 3: "P4"})
    listed = c[c["status"].isin(["overdue", "due_soon"])]
    listed = listed.sort_values(
        ["tier", "score", "days_overdue", "due", "child_id"], ascending=[True, False, False, True, True]
    )
    out = listed[["child_id", "tier", "score", "next", "due", "days_overdue", "age_band"]].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out, c[["child_id", "status", "next", "due"]]


def check_agreement(n: int = 10_000, as_of: str = "2021-10-21") -> None:
    """Same due dates, statuses and worklist order as lac-backlog on a synthetic council."""
    import tempfile
    from pathlib import Path

    import lac_backlog as lb

    cohort = lb.synthetic_cohort(children=n, seed=11, as_of=as_of, overdue_share=0.4)
    d = Path(tempfile.mkdtemp())
    cohort.to_csv(d / "c.csv", d / "a.csv")
    # Text columns, as the race reads them (issue 23).
    kids = pd.read_csv(d / "c.csv", dtype=str)
    seen = pd.read_csv(d / "a.csv", dtype=str)
    wl, st = worklist(kids, seen, dt.date.fromisoformat(as_of))
    ours = lb.status(cohort, as_of=as_of).to_pandas().set_index("child_id")
    st = st.set_index("child_id").loc[ours.index]
    assert (st["status"] == ours["status"]).all(), "statuses differ"
    req = ours["status"] != "not_required"
    assert (pd.to_datetime(st.loc[req, "due"]).dt.date == ours.loc[req, "due_date"]).all(), "due dates differ"
    tri = lb.triage(cohort, as_of=as_of).to_pandas()
    assert list(tri["child_id"]) == list(wl["child_id"]), "worklist order differs"
    assert list(tri["tier"]) == list(wl["tier"]) and list(tri["priority_score"]) == list(wl["score"])
    print(f"pandas peer agrees with lac-backlog on {n:,} children: statuses, due dates, worklist order, tiers, scores")


if __name__ == "__main__":
    check_agreement()
