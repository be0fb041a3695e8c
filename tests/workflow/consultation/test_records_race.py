"""On PostgreSQL, a comment recorded while the strategy is submitted for approval: the two take the
strategy's row lock one after the other, so the submission for approval sees the comment and is
refused, instead of leaving an unanswered comment behind a strategy already in approval."""

from __future__ import annotations

import threading
from datetime import date

from tests import factories as f
from tests.waiting import wait_for_lock_wait
from tests.workflow.consultation.builders import a_round, closed, in_consultation, people, submission
from workflow.consultation import RECORDS
from workflow.core import GuardRefused, Settings, new_session, unit_of_work

OPENED = date(2025, 11, 10)
SUBMITTED = date(2025, 12, 19)


def test_a_comment_and_a_submission_for_approval_take_turns(pg_engine):
    settings = Settings(_env_file=None)
    with unit_of_work(pg_engine) as session:
        p = people(session)
        strategy = in_consultation(session, p.institution_id)
        round_ = closed(session, p.coordinator, a_round(session, p.coordinator, strategy.id, settings,
                                                        today=OPENED, opened_on=OPENED), settings)
        strategy_id, round_id, coordinator = strategy.id, round_.id, p.coordinator

    commenting = new_session(pg_engine)
    submission(commenting, coordinator, round_id, settings, today=SUBMITTED,
               received_on=date(2025, 12, 12))  # holds the strategy's lock, not committed yet
    outcome: list[BaseException | str] = []

    def submit_for_approval() -> None:
        try:
            with unit_of_work(pg_engine) as session:
                outcome.append(f.advance(session, strategy_id, "submit_for_approval", today=SUBMITTED,
                                         effective_on=SUBMITTED, consultation=RECORDS).stage)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    approving = threading.Thread(target=submit_for_approval)
    approving.start()
    wait_for_lock_wait(pg_engine, process=approving)
    commenting.commit()
    commenting.close()
    approving.join(timeout=30)
    (result,) = outcome
    assert isinstance(result, GuardRefused), result
    assert result.extensions["unanswered_submissions"]
