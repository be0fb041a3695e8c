"""Policy gaps and timelines, read-only. The rules are in ``workflow.gaps`` (``rules`` and ``timeline``).

``GET /gaps`` is paged: today's report comes from the rows the gap watch keeps (``workflow.gaps.serving``),
anything else is computed on demand. ``GET /timeline`` reads one policy area. No request session: each
read is a short session of its own, which gives the pooled connection back before the rules compute."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from api.deps import MAX_ID, SettingsDep
from api.problems import responses
from workflow.core import POLICY_AREA_PATTERN, SaneDate, clock, new_session
from workflow.gaps import (
    SORT_KEY,
    STATUSES,
    GapEntry,
    GapQuery,
    Timeline,
    compute_timeline,
    gap_page,
    month_of,
    read_backtest,
    risk_statement,
    snapshot_of,
    timeline_snapshots,
)
from workflow.lifecycle import Kind

router = APIRouter(tags=["gaps"])

Status = Literal["covered", "ok", "at_risk", "gap"]
assert set(get_args(Status)) == set(STATUSES)

AsOf = Annotated[
    SaneDate | None,
    Query(description="Answer as recorded on this day (YYYY-MM-DD); default: today in the deployment timezone."),
]
KnownOn = Annotated[
    SaneDate | None,
    Query(
        description="Answer with the record as it stood on this day (YYYY-MM-DD): changes effective after it "
        "(deadlines, periods, links, stage changes, by their `effective_on`, also when entered later) are left out, "
        "and strategies whose drafting started after it. Default: today. Not in the future. `as_of` is the day the "
        "report is about; `known_on`, what was known then."
    ),
]
PolicyAreaFilter = Annotated[str | None, Query(max_length=80, pattern=POLICY_AREA_PATTERN)]
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
DEFAULT_PAGE = 100
MAX_PAGE = 500


class ProjectionStepOut(BaseModel):
    stage: str
    ends_on: date = Field(description="The stage's forecast end at the median.")
    upper_ends_on: date | None = Field(description="... and at the upper quantile (80th percentile).")
    basis: Literal["due_date", "policy_area", "portfolio", "default"] = Field(
        description="`policy_area`: this area's own completed stints; `portfolio`: everyone's (the area has fewer "
        "than 3); `default`: fewer than 3 anywhere, the configured default stands in for the missing ones; "
        "`due_date`: the deadline set, taken because it is no earlier than the history's median."
    )
    samples: int = Field(description="Real completed stints the forecast of this stage draws on.")
    due_on: date | None = Field(description="The deadline a ministry set for this stage, shown beside the forecast.")


class GapEntryOut(BaseModel):
    strategy_id: int
    title: str
    policy_area: str
    kind: str
    parent_id: int | None
    stage: str = Field(description="Its stage as recorded on `as_of`.")
    in_force_from: date
    lapses_on: date = Field(description="Last day in force as recorded on `as_of`.")
    status: Status = Field(
        description="`covered`: an approved successor is in force the day after the lapse. "
        "`at_risk`: the days left are fewer than the successor still needs at the upper quantile of this "
        "deployment's history (`risk_rule` `pipeline`), or it lapses within the horizon and the successor is "
        "missing or expected after that day (`horizon`, the floor). "
        "`ok`: in force, not covered yet, not at risk. `gap`: lapsed with nothing in force since."
    )
    successor_id: int | None
    successor_title: str | None
    successor_stage: str | None
    successor_in_force_from: date | None = Field(description="Start of the approved successor's interval.")
    projected_successor_approval: date | None = Field(
        description="For a successor not approved yet: its forecast approval at the median."
    )
    projected_successor_approval_lower: date | None = Field(
        description="... at the lower quantile (20th percentile): the range runs from here to the upper quantile."
    )
    projected_successor_approval_upper: date | None = Field(description="... and at the upper quantile.")
    projection_basis: Literal["due_dates", "policy_area", "portfolio", "defaults", "mixed"] | None
    projection_steps: list[ProjectionStepOut] = Field(
        description="The forecast end of each stage still ahead (with no successor: of a whole pipeline started on "
        "`as_of`)."
    )
    gap_days: int | None = Field(description="For `gap`: days without coverage since the lapse.")
    projected_gap_days: int | None = Field(
        description="Days between the lapse and the successor's (projected) start; 0 when on time."
    )
    in_force_from_approximate: bool = Field(
        description="`in_force_from` is an approval date recorded as approximate (`effective_on_approximate`)."
    )
    approval_reference_unknown: bool = Field(description="Approved by an act whose number is not known.")
    projected_gap_days_upper: int | None = Field(description="`projected_gap_days` at the upper quantile.")
    gap_risk: float | None = Field(
        description="The share (0 to 1) of the history's pipelines that would bring the successor into force after "
        "the day after the lapse."
    )
    risk_rule: Literal["pipeline", "horizon"] | None = Field(description="For `at_risk`: which rule flagged it.")
    days_left: int | None = Field(description="Days from `as_of` to the day after the lapse.")
    needed_days: int | None = Field(
        description="Days from `as_of` until the successor is expected in force, at the median (with no successor: a "
        "whole pipeline started on `as_of`)."
    )
    needed_days_upper: int | None = Field(description="... at the upper quantile.")
    act: Literal["start_drafting", "submit_for_consultation", "submit_for_approval", "approve"] | None = Field(
        description="The successor's next step ..."
    )
    act_by: date | None = Field(description="... and the last day for it that avoids the gap at the upper quantile.")
    explanation: list[str] = Field(description="The same, in words: what lapses when, what the successor still "
                                               "needs, how late it is likely to be, what would avoid the gap.")

    @classmethod
    def of(cls, entry: GapEntry) -> GapEntryOut:
        steps = [
            ProjectionStepOut(stage=s.stage.value, ends_on=s.ends_on, upper_ends_on=s.upper_ends_on, basis=s.basis,
                              samples=s.samples, due_on=s.due_on)
            for s in entry.projection_steps
        ]
        fields = {k: v for k, v in vars(entry).items() if k != "projection_steps"}
        return cls(**fields, projection_steps=steps, explanation=list(risk_statement(entry)))


class StatusCounts(BaseModel):
    covered: int
    ok: int
    at_risk: int
    gap: int


class GapReportOut(BaseModel):
    as_of: date
    known_on: date = Field(description="The report is as Continuum knew it on this day.")
    horizon_days: int
    items: list[GapEntryOut] = Field(description="This page: at most `limit` entries, in the report's order.")
    limit: int
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page (with the same other parameters); null on the last page."
    )
    total: int = Field(description="Entries matching every filter, on all pages.")
    by_status: StatusCounts = Field(description="Entries matching every filter but `status`, per status.")


class SpanOut(BaseModel):
    strategy_id: int
    title: str
    start: date
    end: date
    days: int


class HoleOut(BaseModel):
    start: date
    end: date
    days: int
    after_strategy_id: int | None = Field(description="The strategy whose lapse opened the hole.")
    before_strategy_id: int | None = Field(description="The strategy whose start closed it.")
    ongoing: bool = Field(description="The hole includes `as_of`.")


class TimelineOut(BaseModel):
    policy_area: str
    kind: Kind
    parent_id: int | None
    as_of: date
    known_on: date = Field(description="The timeline is as Continuum knew it on this day.")
    from_: date | None = Field(alias="from", serialization_alias="from")
    to: date | None
    days: int
    days_in_force: int
    days_without: int
    intervals: list[SpanOut]
    gaps: list[HoleOut]

    @classmethod
    def of(
        cls, policy_area: str, kind: str, parent_id: int | None, as_of: date, timeline: Timeline, known_on: date
    ) -> TimelineOut:
        window = timeline.window
        return cls.model_validate({
            "policy_area": policy_area,
            "kind": kind,
            "parent_id": parent_id,
            "as_of": as_of,
            "known_on": known_on,
            "from": window.start if window else None,
            "to": window.end if window else None,
            "days": window.days if window else 0,
            "days_in_force": timeline.days_in_force,
            "days_without": timeline.days_without,
            "intervals": [SpanOut(strategy_id=s.strategy_id, title=s.title, start=s.start, end=s.end, days=s.days)
                          for s in timeline.spans],
            "gaps": [HoleOut(start=h.start, end=h.end, days=h.days, after_strategy_id=h.after_strategy_id,
                             before_strategy_id=h.before_strategy_id, ongoing=h.contains(as_of))
                     for h in timeline.holes],
        })


def _invalid_parameter(name: str, message: str) -> RequestValidationError:
    """The same 422 problem (with ``parameter``) that FastAPI's own query validation produces."""
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


def _known_on(known_on: date | None, today: date) -> date:
    """``known_on`` or today; what will be known later cannot be asked."""
    if known_on is not None and known_on > today:
        raise _invalid_parameter("known_on", f"must not be in the future (today is {today.isoformat()})")
    return known_on or today


@router.get("/gaps", response_model=GapReportOut, responses=responses(422))
def gaps(
    request: Request,
    settings: SettingsDep,
    as_of: AsOf = None,
    horizon_days: Annotated[
        int | None, Query(ge=0, le=3650, description="`at_risk` looks this many days ahead; default: the setting.")
    ] = None,
    policy_area: PolicyAreaFilter = None,
    kind: Kind | None = None,
    status: Status | None = None,
    known_on: KnownOn = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Entries per page.")] = DEFAULT_PAGE,
    cursor: Annotated[
        str | None, Query(max_length=310, pattern=SORT_KEY.pattern,
                          description="The `next_cursor` of the previous page; none for the first.")
    ] = None,
    order: Annotated[
        Literal["report", "risk"], Query(description="`report`: by area, kind and lapse; `risk`: by `gap_risk`, "
                                                     "highest first.")
    ] = "report",
) -> GapReportOut:
    """Each strategy or action plan in force on `as_of`, or lapsed with nothing in force since, with its
    gap status, its successor, and when the successor is projected to be approved (and on what basis),
    as known on `known_on` (e.g. `as_of=2023-08-31&known_on=2023-08-31`: the deadlines recorded by then,
    even if they were changed later). A page at a time, with the totals of all pages."""
    today = clock.today(settings.zone)
    day = as_of or today
    known = _known_on(known_on, today)
    horizon = settings.gap_horizon_days if horizon_days is None else horizon_days
    engine: Engine = request.app.state.engine
    query = GapQuery(day, horizon, known if known < today else None, policy_area, kind, status, order)
    page = gap_page(engine, query, today=today, settings=settings, limit=limit, after=cursor)
    return GapReportOut(
        as_of=day, known_on=known, horizon_days=horizon, items=[GapEntryOut.of(e) for e in page.items], limit=limit,
        next_cursor=page.next_cursor, total=page.total, by_status=StatusCounts(**page.by_status),
    )


class ScoredOut(BaseModel):
    months_before: int
    month: date = Field(description="The month-end judged: the last on or before that many months before approval.")
    forecast: date | None = Field(description="The successor's forecast approval then (median).")
    lower: date | None = Field(description="... at the lower quantile.")
    upper: date | None = Field(description="... at the upper quantile.")
    error_days: int | None = Field(description="Forecast less the real approval, in days (negative: early).")
    within: bool | None = Field(description="The real approval fell within the forecast's range.")


class LapseOut(BaseModel):
    strategy_id: int
    title: str
    policy_area: str
    lapses_on: date
    gap: bool = Field(description="Its successor (as recorded today) was not in force the day after the lapse.")
    first_flagged: date | None = Field(description="The month-end of the first month at risk, up to the lapse.")
    lead_days: int | None
    first_rule: Literal["pipeline", "horizon"] | None
    successor_id: int | None
    successor_approved_on: date | None
    scored: list[ScoredOut] = Field(description="The forecast at 12, 6 and 3 months before the real approval.")


class BacktestOut(BaseModel):
    start: date
    end: date
    lapses: list[LapseOut]
    summary: str


@router.get("/gaps/backtest", response_model=BacktestOut, responses=responses(422))
def gaps_backtest(
    request: Request,
    settings: SettingsDep,
    policy_area: PolicyAreaFilter = None,
    from_: Annotated[str | None, Query(alias="from", pattern=MONTH, description="YYYY-MM; default: the first "
                                                                                "month recorded")] = None,
    to: Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM; default: this month")] = None,
) -> BacktestOut:
    """The gap rules replayed month by month over this deployment's own history, each month with only what was
    known then (as `known_on`), and for each lapse in those months: the first month flagged, the lead time, and
    the forecast error of its successor's approval at 12, 6 and 3 months before the real one. The same as
    `continuum backtest`."""
    start, end = month_of(from_) if from_ else None, month_of(to) if to else None
    if start is not None and end is not None and start > end:
        raise _invalid_parameter("from", f"must not be after to ({to})")
    engine: Engine = request.app.state.engine
    result = read_backtest(engine, today=clock.today(settings.zone), settings=settings, start=start, end=end,
                           policy_area=policy_area)
    return BacktestOut(
        start=result.start, end=result.end, summary=result.summary(),
        lapses=[LapseOut(**{k: v for k, v in vars(lapse).items() if k != "scored"},
                         scored=[ScoredOut(**vars(s)) for s in lapse.scored]) for lapse in result.lapses],
    )


@router.get("/timeline", response_model=TimelineOut, response_model_by_alias=True, responses=responses(404, 422))
def timeline(
    request: Request,
    settings: SettingsDep,
    policy_area: PolicyAreaFilter = None,
    parent_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="A strategy: show its action plans instead.")
    ] = None,
    from_: Annotated[SaneDate | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    to: Annotated[SaneDate | None, Query(description="YYYY-MM-DD")] = None,
    as_of: AsOf = None,
    known_on: KnownOn = None,
) -> TimelineOut:
    """Intervals in force and the holes between them, with day counts, for the strategies of a policy
    area, or (`parent_id`) the action plans of one strategy within its own interval in force.

    The window defaults to the first interval's start through the last one's end (or `as_of`, if
    later); for action plans, to the strategy's interval. Intervals are cut to the window. With `known_on`,
    the intervals are as recorded by then (e.g. a period extended later shows its old end)."""
    if policy_area is None and parent_id is None:
        raise _invalid_parameter("policy_area", "give a policy_area, or a parent_id for the action plans of a strategy")
    if from_ is not None and to is not None and from_ > to:
        raise _invalid_parameter("from", f"must not be after to ({to.isoformat()})")
    today = clock.today(settings.zone)
    known = _known_on(known_on, today)
    engine: Engine = request.app.state.engine
    with new_session(engine) as session:  # the area alone; closed before computing
        snapshots = timeline_snapshots(session, zone=settings.zone, policy_area=policy_area, parent_id=parent_id,
                                       known_on=known if known < today else None)
    if parent_id is not None:
        parent = snapshot_of(snapshots, parent_id)
        if parent.kind != "strategy":
            raise _invalid_parameter("parent_id", "must name a strategy, not an action plan")
        if policy_area is not None and policy_area != parent.policy_area:
            raise _invalid_parameter(
                "policy_area", f"strategy {parent_id} belongs to policy area {parent.policy_area!r}"
            )
    day = as_of or today
    report = compute_timeline(
        snapshots, as_of=day, policy_area=policy_area, parent_id=parent_id, start=from_, end=to, known_on=known
    )
    return TimelineOut.of(report.policy_area, report.kind, report.parent_id, report.as_of, report.timeline, known)
