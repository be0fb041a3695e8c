"""How long the stages before approval take in this deployment: pure statistics, no database, no clock.

**Samples.** Each completed stint in drafting, consultation or approval (``projection.completed_stints``:
a stint that ended by moving forward, a first drafting stint counted from the drafting start) is one
sample of that stage, in calendar days, kept per policy area and across the portfolio.

**Which history.** A stage's durations for a strategy of area A come from A's own samples when it
has at least ``MIN_SAMPLES`` of them (basis ``policy_area``), else from the portfolio's when it has
that many (``portfolio``), else from the portfolio's samples topped up to ``MIN_SAMPLES`` with the
configured default (``typical_*_days``) standing in for each missing one (``default``). So one real
stint of two years is not ignored because it is alone, and is not taken as the rule either.

**Quantiles.** ``quantile`` interpolates linearly between the order statistics at rank
``(n - 1) * q`` (Hyndman and Fan's definition 7, the default of R, NumPy and spreadsheets'
``PERCENTILE.INC``); a forecast reports the lower quantile (``LOWER``), the median (``MEDIAN``) and
the upper quantile (``UPPER``, the 80th percentile), the last two rounded up to whole days.

**A stage still open** (the overdue-stage rule, ``remaining``). Once a stage has lasted ``elapsed``
days, what is left of it comes from the stints that lasted at least as long: their length less
``elapsed``. When fewer than ``MIN_SAMPLES`` lasted that long, the stage has run past most of what
was seen: what is left is how far the stints that ran past the median went beyond it. A default
standing in for a missing stint is taken as a stint of that length which, once past, has half of
it left again: so a thin history keeps its real long stints and its defaults' short ones, and the
range stays wide. At least one day either way: a stage open today ends tomorrow at the earliest, so
the forecast moves out while the stage stays open.

**Approximate days** (``effective_on_approximate``) are taken to be within ``APPROXIMATE_MARGIN_DAYS``
(a month) of the truth either way, so a stint between two of them is known to two months: each
sample keeps a low and a high end (``low``, ``high``: the days less and plus the margins of its
approximate ends; the same as the days for a stint with exact ends). The median comes from the
days; the lower quantile (``LOWER``, the 20th percentile, rounded down) from the low ends and the
upper one from the high ends. A record of months guessed the same way does not pass for a narrow
history: the range is as wide as what the record really knows. Once a stage has lasted ``elapsed``
days, the low ends left are their excess over it, at least one day (a stage open today may end
tomorrow); the high ends follow the overdue-stage rule as the days do.

**Stored compactly.** A stage with more than ``GRID_POINTS`` samples keeps its quantiles at
``GRID_POINTS`` evenly spaced levels instead (the quantiles read from them differ by under a day
per stage from the full samples'), so the state row stays small however large the portfolio.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.lifecycle import Stage

PRE_APPROVAL_STAGES = (Stage.DRAFTING, Stage.CONSULTATION, Stage.APPROVAL)
MIN_SAMPLES = 3
LOWER = 0.2
MEDIAN = 0.5
UPPER = 0.8
GRID_POINTS = 101
APPROXIMATE_MARGIN_DAYS = 15

POLICY_AREA = "policy_area"
PORTFOLIO = "portfolio"
DEFAULT = "default"
BASES = (POLICY_AREA, PORTFOLIO, DEFAULT)


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0 <= q <= 1) of ``values`` (sorted or not), definition 7: linear between
    the order statistics around rank ``(n - 1) * q``. ``ValueError`` on no values."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 1:
        raise ValueError(f"q must be within [0, 1], not {q}")
    return _sorted_quantile(sorted(values), q)


def _sorted_quantile(ordered: Sequence[float], q: float) -> float:
    """``quantile`` of values already sorted (``StageSamples.days`` are), without sorting them again."""
    rank = (len(ordered) - 1) * q
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def days_at(values: Sequence[float], q: float) -> int:
    """``quantile`` rounded up to whole days."""
    return math.ceil(quantile(values, q) - 1e-9)


def compact(days: Iterable[int]) -> tuple[int, ...]:
    """Sorted samples, or their quantiles at ``GRID_POINTS`` levels when there are more (see the module)."""
    ordered = sorted(days)
    if len(ordered) <= GRID_POINTS:
        return tuple(ordered)
    return tuple(round(quantile(ordered, i / (GRID_POINTS - 1))) for i in range(GRID_POINTS))


@dataclass(frozen=True)
class StageSamples:
    """The durations (days, sorted) a forecast of one stage draws on, and where they come from.

    ``observed``: how many are real stints; the rest are ``default`` standing in (basis ``default``).
    ``low`` and ``high``: the samples' low and high ends, sorted (None: the days; see the module)."""

    stage: Stage
    days: tuple[int, ...]
    basis: str
    observed: int
    default: int | None = None
    low: tuple[int, ...] | None = None
    high: tuple[int, ...] | None = None

    @property
    def lower(self) -> int:
        return math.floor(_sorted_quantile(self.low or self.days, LOWER) + 1e-9)

    @property
    def median(self) -> int:
        return days_at(self.days, MEDIAN)

    @property
    def upper(self) -> int:
        return days_at(self.high or self.days, UPPER)

    def at(self, q: float) -> float:
        """The ``q`` quantile: of the days up to the median, of the high ends above it."""
        return _sorted_quantile(self.days if q <= MEDIAN else self.high or self.days, q)

    def remaining(self, elapsed: int) -> StageSamples:
        """What is left of the stage once it has lasted ``elapsed`` days (see the module)."""
        if elapsed <= 0:
            return self
        low = None if self.low is None else tuple(sorted(max(1, d - elapsed) for d in self.low))
        high = None if self.high is None else self._left_of(self.high, elapsed)
        return StageSamples(self.stage, self._left_of(self.days, elapsed), self.basis, self.observed,
                            low=low, high=high)

    def _left_of(self, values: tuple[int, ...], elapsed: int) -> tuple[int, ...]:
        if self.default is not None:
            return self._remaining_topped_up(values, elapsed, self.default)
        longer: list[float] = [d - elapsed for d in values if d > elapsed]
        if len(longer) < MIN_SAMPLES:
            middle = quantile(values, MEDIAN)
            longer = [d - middle for d in values if d > middle] or [middle / 2]
        return _whole(longer)

    def _remaining_topped_up(self, values: tuple[int, ...], elapsed: int, default: int) -> tuple[int, ...]:
        """A history topped up with the default: the real stints that lasted longer, less ``elapsed``,
        and for each default standing in what is left of it (half of it again once it is past)."""
        real = list(values)
        for _ in range(len(values) - self.observed):
            real.remove(default)
        standing_in = default - elapsed if default > elapsed else default / 2
        return _whole([*(d - elapsed for d in real if d > elapsed), *[standing_in] * (len(values) - self.observed)])


def _whole(days: Iterable[float]) -> tuple[int, ...]:
    return tuple(sorted(max(1, math.ceil(d)) for d in days))


Bounds = tuple[tuple[int, ...], tuple[int, ...]]  # the low and the high ends of a stage's samples


@dataclass(frozen=True)
class StageHistory:
    """Completed stints per policy area and stage, and the defaults (see the module). ``bounds``: the
    low and high ends of the samples, by area and stage (``portfolio_bounds``: across the portfolio),
    where some end is approximate."""

    by_area: Mapping[str, Mapping[Stage, tuple[int, ...]]]
    defaults: Mapping[Stage, int]
    portfolio: Mapping[Stage, tuple[int, ...]] = field(default_factory=dict)
    bounds: Mapping[str, Mapping[Stage, Bounds]] = field(default_factory=dict)
    portfolio_bounds: Mapping[Stage, Bounds] = field(default_factory=dict)

    def samples(self, policy_area: str, stage: Stage) -> StageSamples:
        own = self.by_area.get(policy_area, {}).get(stage, ())
        if len(own) >= MIN_SAMPLES:
            low, high = self.bounds.get(policy_area, {}).get(stage, (None, None))
            return StageSamples(stage, own, POLICY_AREA, len(own), low=low, high=high)
        everyone = self.portfolio.get(stage, ())
        low, high = self.portfolio_bounds.get(stage, (None, None))
        if len(everyone) >= MIN_SAMPLES:
            return StageSamples(stage, everyone, PORTFOLIO, len(everyone), low=low, high=high)
        default = self.defaults[stage]
        missing = [default] * (MIN_SAMPLES - len(everyone))
        return StageSamples(stage, tuple(sorted((*everyone, *missing))), DEFAULT, len(everyone), default,
                            low=None if low is None else tuple(sorted((*low, *missing))),
                            high=None if high is None else tuple(sorted((*high, *missing))))

    def json(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "defaults": {stage.value: days for stage, days in self.defaults.items()},
            "portfolio": {stage.value: list(days) for stage, days in self.portfolio.items()},
            "by_area": {area: {stage.value: list(days) for stage, days in stages.items()}
                        for area, stages in self.by_area.items()},
        }
        if self.bounds or self.portfolio_bounds:
            values["bounds"] = {
                "portfolio": _ends_json(self.portfolio_bounds),
                "by_area": {area: _ends_json(stages) for area, stages in self.bounds.items()},
            }
        return values

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> StageHistory:
        """``json`` read back."""
        def stages(raw: Mapping[str, Any]) -> dict[Stage, tuple[int, ...]]:
            return {Stage(stage): tuple(days) for stage, days in raw.items()}

        def ends(raw: Mapping[str, Any]) -> dict[Stage, Bounds]:
            return {Stage(stage): (tuple(low), tuple(high)) for stage, (low, high) in raw.items()}

        bounds = values.get("bounds", {})
        return cls(
            by_area={area: stages(raw) for area, raw in values.get("by_area", {}).items()},
            defaults={Stage(stage): days for stage, days in values.get("defaults", {}).items()},
            portfolio=stages(values.get("portfolio", {})),
            bounds={area: ends(raw) for area, raw in bounds.get("by_area", {}).items()},
            portfolio_bounds=ends(bounds.get("portfolio", {})),
        )


def _ends_json(stages: Mapping[Stage, Bounds]) -> dict[str, list[list[int]]]:
    return {stage.value: [list(low), list(high)] for stage, (low, high) in stages.items()}


def stage_history(stints: Iterable[tuple[Any, ...]], defaults: Mapping[Stage, int]) -> StageHistory:
    """The history of (policy area, stage, days[, margin]) samples (``margin``: the days either way its
    approximate ends may be off; 0 when left out), each stage's samples compacted; an area keeps only
    the stages it has enough samples of (the others are read from the portfolio's)."""
    by_area: dict[str, dict[Stage, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    portfolio: dict[Stage, list[tuple[int, int]]] = defaultdict(list)
    for area, stage, days, *margin in stints:
        if stage in PRE_APPROVAL_STAGES:
            sample = (days, margin[0] if margin else 0)
            by_area[area][stage].append(sample)
            portfolio[stage].append(sample)
    own = {area: {stage: samples for stage, samples in stages.items() if len(samples) >= MIN_SAMPLES}
           for area, stages in by_area.items()}
    own = {area: stages for area, stages in own.items() if stages}
    return StageHistory(
        by_area={area: {stage: _days(samples) for stage, samples in stages.items()} for area, stages in own.items()},
        defaults=dict(defaults),
        portfolio={stage: _days(samples) for stage, samples in portfolio.items()},
        bounds={area: bounds for area, stages in own.items() if (bounds := _bounds_of(stages))},
        portfolio_bounds=_bounds_of(portfolio),
    )


def _days(samples: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    return compact(days for days, _ in samples)


def _bounds_of(stages: Mapping[Stage, Sequence[tuple[int, int]]]) -> dict[Stage, Bounds]:
    """The low and high ends of the stages with some approximate end."""
    return {
        stage: (compact(max(1, days - margin) for days, margin in samples),
                compact(days + margin for days, margin in samples))
        for stage, samples in stages.items() if any(margin for _, margin in samples)
    }


def elapsed_days(entered_on: date | None, as_of: date) -> int:
    return max(0, (as_of - entered_on).days) if entered_on is not None else 0
