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
DEFAULT_PAGE = 100
MAX_PAGE = 500


class ProjectionStepOut(BaseModel):
    stage: str
    ends_on: date
    basis: Literal["due_date", "history_median", "default"]


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
        "`at_risk`: lapses within the horizon and the successor is missing or expected in force after that day. "
        "`ok`: in force, not covered yet, not at risk. `gap`: lapsed with nothing in force since."
    )
    successor_id: int | None
    successor_title: str | None
    successor_stage: str | None
    successor_in_force_from: date | None = Field(description="Start of the approved successor's interval.")
    projected_successor_approval: date | None = Field(description="For a successor not approved yet.")
    projection_basis: Literal["due_dates", "history_medians", "defaults", "mixed"] | None
    projection_steps: list[ProjectionStepOut] = Field(description="The projected end of each stage still ahead.")
    gap_days: int | None = Field(description="For `gap`: days without coverage since the lapse.")
    projected_gap_days: int | None = Field(
        description="Days between the lapse and the successor's (projected) start; 0 when on time."
    )
    in_force_from_approximate: bool = Field(
        description="`in_force_from` is an approval date recorded as approximate (`effective_on_approximate`)."
    )
    approval_reference_unknown: bool = Field(description="Approved by an act whose number is not known.")

    @classmethod
    def of(cls, entry: GapEntry) -> GapEntryOut:
        steps = [
            ProjectionStepOut(stage=s.stage.value, ends_on=s.ends_on, basis=s.basis) for s in entry.projection_steps
        ]
        fields = {k: v for k, v in vars(entry).items() if k != "projection_steps"}
        return cls(**fields, projection_steps=steps)


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
        str | None, Query(max_length=300, pattern=SORT_KEY.pattern,
                          description="The `next_cursor` of the previous page; none for the first.")
    ] = None,
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
    query = GapQuery(day, horizon, known if known < today else None, policy_area, kind, status)
    page = gap_page(engine, query, today=today, settings=settings, limit=limit, after=cursor)
    return GapReportOut(
        as_of=day, known_on=known, horizon_days=horizon, items=[GapEntryOut.of(e) for e in page.items], limit=limit,
        next_cursor=page.next_cursor, total=page.total, by_status=StatusCounts(**page.by_status),
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
