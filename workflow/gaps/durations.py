"""How long the stages before approval take in this deployment: pure statistics, no database, no clock.

**Samples.** Each completed stint in drafting, consultation or approval (``projection.completed_spans``:
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

**Approximate days** (``effective_on_approximate``) are taken to be known to the month: within
``APPROXIMATE_MARGIN_DAYS`` (15) either way. So each sample keeps a margin, 15 days for each
approximate end of its stint (``projection.completed_spans``), and has a low end (its days less the
margin, at least one) and a high end (plus the margin). The median comes from the days; the lower
quantile (``LOWER``, the 20th percentile, rounded down) from the low ends and the upper one from the
high ends. A record of guessed days does not pass for a narrow history: the range is as wide as
what the record really knows. A stage still open keeps, of each stint it draws on, the margin with
what is left of the days.

**Stored compactly.** A stage with more than ``GRID_POINTS`` samples keeps its quantiles at
``GRID_POINTS`` evenly spaced levels instead, and the margins at the same ranks (the quantiles read
from them differ by under a day per stage from the full samples'), so the state row stays small
however large the portfolio.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple

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
    return compact_pairs((d, 0) for d in days)[0]


def compact_pairs(samples: Iterable[tuple[int, int]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``compact`` of (days, margin) samples, sorted by days: the days and their margins, aligned
    (at the grid's levels, each margin read at the same rank as its days)."""
    ordered = sorted(samples)
    if len(ordered) > GRID_POINTS:  # the margins read at the days' ranks: the same interpolation
        days, margins = [d for d, _ in ordered], [m for _, m in ordered]
        levels = [i / (GRID_POINTS - 1) for i in range(GRID_POINTS)]
        ordered = [(round(_sorted_quantile(days, q)), round(_sorted_quantile(margins, q))) for q in levels]
    return tuple(d for d, _ in ordered), tuple(m for _, m in ordered)


@dataclass(frozen=True)
class StageSamples:
    """The durations (days, sorted) a forecast of one stage draws on, and where they come from.

    ``observed``: how many are real stints; the rest are ``default`` standing in (basis ``default``).
    ``margins``: each sample's margin (the days either way its approximate ends may be off), aligned
    with ``days``; None when every end is exact."""

    stage: Stage
    days: tuple[int, ...]
    basis: str
    observed: int
    default: int | None = None
    margins: tuple[int, ...] | None = None

    @cached_property  # read at every level the bisection of gap risk tries
    def low_ends(self) -> tuple[int, ...]:
        """The shortest each sample may have been, sorted."""
        if self.margins is None:
            return self.days
        return tuple(sorted(max(1, d - m) for d, m in zip(self.days, self.margins, strict=True)))

    @cached_property
    def high_ends(self) -> tuple[int, ...]:
        """The longest each sample may have been, sorted (each no shorter than its days)."""
        if self.margins is None:
            return self.days
        return tuple(sorted(d + m for d, m in zip(self.days, self.margins, strict=True)))

    @property
    def lower(self) -> int:
        return math.floor(_sorted_quantile(self.low_ends, LOWER) + 1e-9)

    @property
    def median(self) -> int:
        return days_at(self.days, MEDIAN)

    @property
    def upper(self) -> int:
        return days_at(self.high_ends, UPPER)

    def at(self, q: float) -> float:
        """The ``q`` quantile: of the days up to the median, of the high ends above it. It never
        decreases with ``q``: each high end is its sample's days or more."""
        return _sorted_quantile(self.days if q <= MEDIAN else self.high_ends, q)

    def remaining(self, elapsed: int) -> StageSamples:
        """What is left of the stage once it has lasted ``elapsed`` days (see the module); each sample
        left keeps its margin."""
        if elapsed <= 0:
            return self
        pairs = list(zip(self.days, self.margins or [0] * len(self.days), strict=True))
        left: list[tuple[float, int]]
        if self.default is not None:
            missing = len(self.days) - self.observed
            for _ in range(missing):
                pairs.remove((self.default, 0))
            standing_in = self.default - elapsed if self.default > elapsed else self.default / 2
            left = [(d - elapsed, m) for d, m in pairs if d > elapsed] + [(standing_in, 0)] * missing
        else:
            left = [(d - elapsed, m) for d, m in pairs if d > elapsed]
            if len(left) < MIN_SAMPLES:
                middle = quantile(self.days, MEDIAN)
                left = [(d - middle, m) for d, m in pairs if d > middle] or [(middle / 2, 0)]
        whole = sorted((max(1, math.ceil(d)), m) for d, m in left)
        margins = tuple(m for _, m in whole)
        return StageSamples(self.stage, tuple(d for d, _ in whole), self.basis, self.observed,
                            margins=margins if any(margins) else None)


@dataclass(frozen=True)
class StageHistory:
    """Completed stints per policy area and stage, and the defaults (see the module). ``margins``: the
    samples' margins, aligned with their days, by area and stage (``portfolio_margins``: across the
    portfolio), for the stages with some approximate end."""

    by_area: Mapping[str, Mapping[Stage, tuple[int, ...]]]
    defaults: Mapping[Stage, int]
    portfolio: Mapping[Stage, tuple[int, ...]] = field(default_factory=dict)
    margins: Mapping[str, Mapping[Stage, tuple[int, ...]]] = field(default_factory=dict)
    portfolio_margins: Mapping[Stage, tuple[int, ...]] = field(default_factory=dict)

    def samples(self, policy_area: str, stage: Stage) -> StageSamples:
        own = self.by_area.get(policy_area, {}).get(stage, ())
        if len(own) >= MIN_SAMPLES:
            return StageSamples(stage, own, POLICY_AREA, len(own),
                                margins=self.margins.get(policy_area, {}).get(stage))
        everyone = self.portfolio.get(stage, ())
        margins = self.portfolio_margins.get(stage)
        if len(everyone) >= MIN_SAMPLES:
            return StageSamples(stage, everyone, PORTFOLIO, len(everyone), margins=margins)
        default = self.defaults[stage]
        pairs = sorted([*zip(everyone, margins or [0] * len(everyone), strict=True),
                        *[(default, 0)] * (MIN_SAMPLES - len(everyone))])
        return StageSamples(stage, tuple(d for d, _ in pairs), DEFAULT, len(everyone), default,
                            margins=tuple(m for _, m in pairs) if margins is not None else None)

    def json(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "defaults": {stage.value: days for stage, days in self.defaults.items()},
            "portfolio": _stages_json(self.portfolio),
            "by_area": {area: _stages_json(stages) for area, stages in self.by_area.items()},
        }
        if self.margins or self.portfolio_margins:
            values["margins"] = {"portfolio": _stages_json(self.portfolio_margins),
                                 "by_area": {area: _stages_json(stages) for area, stages in self.margins.items()}}
        return values

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> StageHistory:
        """``json`` read back (a history stored before margins were kept has none)."""
        def stages(raw: Mapping[str, Any]) -> dict[Stage, tuple[int, ...]]:
            return {Stage(stage): tuple(days) for stage, days in raw.items()}

        margins = values.get("margins", {})
        return cls(
            by_area={area: stages(raw) for area, raw in values.get("by_area", {}).items()},
            defaults={Stage(stage): days for stage, days in values.get("defaults", {}).items()},
            portfolio=stages(values.get("portfolio", {})),
            margins={area: stages(raw) for area, raw in margins.get("by_area", {}).items()},
            portfolio_margins=stages(margins.get("portfolio", {})),
        )


def _stages_json(stages: Mapping[Stage, tuple[int, ...]]) -> dict[str, list[int]]:
    return {stage.value: list(values) for stage, values in stages.items()}


class Stint(NamedTuple):
    """One sample for ``stage_history``: a completed stint of ``days`` in ``stage`` of ``area``, and the
    days either way its approximate ends may be off."""

    area: str
    stage: Stage
    days: int
    margin: int = 0


def stage_history(stints: Iterable[Stint | tuple[str, Stage, int]], defaults: Mapping[Stage, int]) -> StageHistory:
    """The history of these stints (a plain (area, stage, days) has exact ends), each stage's samples
    compacted; an area keeps only the stages it has enough samples of (the others are read from the
    portfolio's)."""
    by_area: dict[str, dict[Stage, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    portfolio: dict[Stage, list[tuple[int, int]]] = defaultdict(list)
    for area, stage, days, *margin in stints:
        if stage in PRE_APPROVAL_STAGES:
            sample = (days, margin[0] if margin else 0)
            by_area[area][stage].append(sample)
            portfolio[stage].append(sample)
    own = {area: {stage: compact_pairs(samples) for stage, samples in stages.items() if len(samples) >= MIN_SAMPLES}
           for area, stages in by_area.items()}
    everyone = {stage: compact_pairs(samples) for stage, samples in portfolio.items()}
    return StageHistory(
        by_area={area: {stage: days for stage, (days, _) in stages.items()} for area, stages in own.items() if stages},
        defaults=dict(defaults),
        portfolio={stage: days for stage, (days, _) in everyone.items()},
        margins={area: kept for area, stages in own.items() if (kept := _with_margins(stages))},
        portfolio_margins=_with_margins(everyone),
    )


def _with_margins(stages: Mapping[Stage, tuple[tuple[int, ...], tuple[int, ...]]]) -> dict[Stage, tuple[int, ...]]:
    """The margins of the stages with some approximate end."""
    return {stage: margins for stage, (_, margins) in stages.items() if any(margins)}


def elapsed_days(entered_on: date | None, as_of: date) -> int:
    return max(0, (as_of - entered_on).days) if entered_on is not None else 0
