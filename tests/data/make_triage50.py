"""Writes triage50_children.csv and triage50_assessments.csv: 50 hand-specified children at
as_of 2021-10-21 covering every factor, age band, red flag and modality rule. Each child is one
line below (age, days overdue or negative for due in N days, IHA or RHA, what else). Run from the
repository root: python tests/data/make_triage50.py"""

import calendar
import csv
import datetime as dt

AS_OF = dt.date(2021, 10, 21)
FLAGS = ["complex_health_needs", "disability", "mental_health_concern", "self_harm", "substance_misuse",
         "pregnant_or_parent", "exploitation_risk", "youth_justice", "out_of_area"]


def add_months(d, m):
    y, mo = divmod(d.month - 1 + m, 12)
    y, mo = d.year + y, mo + 1
    return dt.date(y, mo, min(d.day, calendar.monthrange(y, mo)[1]))


# id, age, days overdue (negative = due in N days), next (IHA/RHA), extras
SPEC = [
    ("T01", 10, 30, "RHA", {}),
    ("T02", 10, 200, "RHA", {}),
    ("T03", 3, 30, "RHA", {}),
    ("T04", 17, 30, "RHA", {}),
    ("T05", 12, 30, "RHA", {"self_harm": 1}),
    ("T06", 12, -10, "RHA", {"self_harm": 1}),
    ("T07", 15, 60, "RHA", {"exploitation_risk": 1, "missing_episodes_12m": 3}),
    ("T08", 16, 45, "RHA", {"pregnant_or_parent": 1}),
    ("T09", 2, 10, "IHA", {}),
    ("T10", 8, 10, "IHA", {}),
    ("T11", 14, 90, "RHA", {"sdq_score": 22}),
    ("T12", 14, 90, "RHA", {"sdq_score": 15}),
    ("T13", 14, 90, "RHA", {"sdq_score": 8}),
    ("T14", 9, 120, "RHA", {"complex_health_needs": 1, "disability": 1}),
    ("T15", 11, 20, "RHA", {"mental_health_concern": 1}),
    ("T16", 13, 20, "RHA", {"substance_misuse": 1}),
    ("T17", 16, 20, "RHA", {"youth_justice": 1}),
    ("T18", 12, 20, "RHA", {"out_of_area": 1}),
    ("T19", 17, 20, "RHA", {"uasc": 1}),
    ("T20", 16, 150, "RHA", {"uasc": 1, "missing": 1}),
    ("T21", 11, 40, "RHA", {"placement_moves_12m": 2}),
    ("T22", 11, 40, "RHA", {"placement_moves_12m": 6}),
    ("T23", 12, 40, "RHA", {"placement_moves_12m": 0}),
    ("T24", 9, 40, "RHA", {"placement_moves_12m": 0}),
    ("T25", 12, 40, "RHA", {}),
    ("T26", 12, 40, "RHA", {"placement_moves_12m": 0, "last_modality": "virtual"}),
    ("T27", 12, 40, "RHA", {"placement_moves_12m": 0, "declined": "face_to_face"}),
    ("T28", 12, 40, "RHA", {"placement_moves_12m": 0, "declined": "virtual"}),
    ("T29", 4, 40, "RHA", {"declined": "face_to_face"}),
    ("T30", 0, 5, "IHA", {}),
    ("T31", 1, -5, "RHA", {}),
    ("T32", 6, -20, "RHA", {"sdq_score": 30}),
    ("T33", 15, -28, "RHA", {}),
    ("T34", 15, -29, "RHA", {}),
    ("T35", 10, 365, "RHA", {}),
    ("T36", 10, 700, "RHA", {}),
    ("T37", 17, 400, "RHA", {"self_harm": 1, "exploitation_risk": 1, "substance_misuse": 1}),
    ("T38", 14, 1, "RHA", {"sdq_score": 17}),
    ("T39", 14, 6, "RHA", {"sdq_score": 40, "mental_health_concern": 1}),
    ("T40", 5, 14, "RHA", {}),
    ("T41", 13, 80, "IHA", {"uasc": 1}),
    ("T42", 16, 30, "RHA", {"complex_health_needs": 1, "placement_moves_12m": 0}),
    ("T43", 16, -20, "RHA", {"placement_moves_12m": 0, "sdq_score": 12, "sdq_date": "2021-06-01"}),
    ("T44", 10, 30, "RHA", {"placement_moves_12m": 0, "sdq_score": 12}),
    ("T45", 7, 250, "RHA", {"disability": 1}),
    ("T46", 12, 10, "RHA", {"legal_status": "V3"}),
    ("T47", 12, 10, "RHA", {"care_end": "2021-10-01"}),
    ("T48", 12, -60, "RHA", {}),
    ("T49", 3, 100, "RHA", {"disability": 1}),
    ("T50", 17, 5, "RHA", {"pregnant_or_parent": 1, "placement_moves_12m": 0}),
]


def working_day_before(target):
    """A care_start whose IHA (20 working days, England and Wales) falls on `target`: found by
    stepping back over weekdays; the test checks the date against the library anyway."""
    from datetime import timedelta
    hol = {dt.date(2021, 8, 30), dt.date(2021, 5, 31), dt.date(2021, 5, 3)}
    d, n = target, 0
    while n < 20:
        d -= timedelta(days=1)
        if d.weekday() < 5 and d not in hol:
            n += 1
    return d


children, assessments = [], []
for cid, age, days, nxt, ex in SPEC:
    dob = dt.date(AS_OF.year - age, 1, 15) if age > 0 else dt.date(2021, 4, 2)
    due = AS_OF - dt.timedelta(days=days)
    row = {"child_id": cid, "date_of_birth": dob.isoformat(), "care_start": "", "care_end": ex.get("care_end", ""),
           "legal_status": ex.get("legal_status", "C2"), "uasc": ex.get("uasc", 0), "missing": ex.get("missing", 0),
           "locality": ["North", "South"][int(cid[1:]) % 2], "sdq_score": ex.get("sdq_score", ""), "sdq_date": ex.get("sdq_date", ""),
           "placement_moves_12m": ex.get("placement_moves_12m", 1), "missing_episodes_12m": ex.get("missing_episodes_12m", 0)}
    for f in FLAGS:
        row[f] = ex.get(f, 0)
    if nxt == "IHA":
        row["care_start"] = working_day_before(due).isoformat()
    else:
        start = max(dob + dt.timedelta(days=2), dt.date(2016, 3, 1))
        row["care_start"] = start.isoformat()
        assessments.append({"child_id": cid, "assessment_type": "IHA", "completed_on": (start + dt.timedelta(days=20)).isoformat(),
                            "modality": "face_to_face", "outcome": "completed"})
        last12 = add_months(due, -12)
        age_at = last12.year - dob.year - ((last12.month, last12.day) < (dob.month, dob.day))
        last = add_months(due, -6) if age_at < 5 else last12
        assessments.append({"child_id": cid, "assessment_type": "RHA", "completed_on": last.isoformat(),
                            "modality": ex.get("last_modality", "face_to_face"), "outcome": "completed"})
        if "declined" in ex:
            assessments.append({"child_id": cid, "assessment_type": "RHA", "completed_on": (due + dt.timedelta(days=3)).isoformat(),
                                "modality": ex["declined"], "outcome": "declined"})
    children.append(row)

cols = ["child_id", "date_of_birth", "care_start", "care_end", "legal_status", "uasc", "missing", "locality", "sdq_score",
        *FLAGS, "placement_moves_12m", "missing_episodes_12m", "sdq_date"]
with open("tests/data/triage50_children.csv", "w", newline="") as f:
    w = csv.DictWriter(f, cols)
    w.writeheader()
    w.writerows(children)
with open("tests/data/triage50_assessments.csv", "w", newline="") as f:
    w = csv.DictWriter(f, ["child_id", "assessment_type", "completed_on", "modality", "outcome"])
    w.writeheader()
    w.writerows(assessments)
