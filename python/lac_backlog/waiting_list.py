"""Waiting-list arithmetic, with NHSRwaitinglist's definitions (nhs-r-community/NHSRwaitinglist).

Every function takes numbers, or equal-length sequences or numpy arrays (elementwise; a numpy
array in gives a numpy array out, a list a list), and rejects anything else with TypeError.
Times are in any fixed period (weeks here); demand and capacity per that period.

>>> target_queue_size(10, 4)
10.0
>>> relief_capacity(10, 200, 10, 26)
17.307692307692307
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

__all__ = ["pressure", "queue_load", "relief_capacity", "target_capacity", "target_mean_wait", "target_queue_size"]


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _elementwise(name: str, f: Callable[..., float], *args: Any) -> Any:
    arrays = [a for a in args if hasattr(a, "__array__") and not _is_number(a)]
    seqs = [a for a in args if isinstance(a, (list, tuple))]
    if arrays or seqs:
        n: int | None = None
        cols: list[list[Any] | None] = []
        for a in args:
            if _is_number(a):
                cols.append(None)
                continue
            items = list(a.tolist()) if hasattr(a, "tolist") else list(a) if isinstance(a, (list, tuple)) else None
            if items is None:
                raise TypeError(f"{name}: expected numbers or sequences of numbers, not {type(a).__name__}")
            if n is not None and len(items) != n:
                raise ValueError(f"{name}: sequences must have equal lengths ({n} and {len(items)})")
            n = len(items)
            cols.append(items)
        out = []
        for i in range(n or 0):
            row = [a if c is None else c[i] for a, c in zip(args, cols)]
            out.append(_scalar(name, f, *row))
        if arrays:
            import numpy as np

            return np.asarray(out, dtype=float)
        return out
    return _scalar(name, f, *args)


def _scalar(name: str, f: Callable[..., float], *args: Any) -> float:
    for a in args:
        if not _is_number(a):
            raise TypeError(f"{name}: expected a number, not {type(a).__name__} ({a!r})")
    return float(f(*(float(a) for a in args)))


def target_queue_size(demand: Any, target_wait: Any, factor: Any = 4) -> Any:
    """The queue size that gives a mean wait of target_wait / factor (Little's law):
    demand x target_wait / factor."""
    return _elementwise("target_queue_size", lambda d, t, k: d * t / k, demand, target_wait, factor)


def target_mean_wait(target_wait: Any, factor: Any = 4) -> Any:
    """The mean wait that keeps most waits within target_wait: target_wait / factor."""
    return _elementwise("target_mean_wait", lambda t, k: t / k, target_wait, factor)


def relief_capacity(demand: Any, queue_size: Any, target_queue_size: Any, time_to_target: Any = 26) -> Any:
    """The capacity that brings the queue to its target size in time_to_target:
    demand + (queue_size - target_queue_size) / time_to_target."""
    return _elementwise(
        "relief_capacity", lambda d, q, tq, t: d + (q - tq) / t, demand, queue_size, target_queue_size, time_to_target
    )


def target_capacity(demand: Any, target_wait: Any, factor: Any = 4, cv_demand: Any = 1, cv_capacity: Any = 1) -> Any:
    """The capacity that keeps the queue at its target size given variability:
    demand + ((cv_demand^2 + cv_capacity^2) / 2) x (factor / target_wait)."""
    return _elementwise(
        "target_capacity",
        lambda d, t, k, cd, cc: d + ((cd**2 + cc**2) / 2) * (k / t),
        demand,
        target_wait,
        factor,
        cv_demand,
        cv_capacity,
    )


def queue_load(demand: Any, capacity: Any) -> Any:
    """demand / capacity: a queue grows without bound when the load is 1 or more."""
    return _elementwise("queue_load", lambda d, c: d / c, demand, capacity)


def pressure(mean_wait: Any, target_wait: Any) -> Any:
    """2 x mean_wait / target_wait: above 1, the target is being missed."""
    return _elementwise("pressure", lambda m, t: 2 * m / t, mean_wait, target_wait)
