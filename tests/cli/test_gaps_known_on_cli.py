"""`continuum gaps --known-on`: the gap picture with only what had been recorded by a day."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from cli.main import main
from tests import factories as f
from workflow.core import new_session
from workflow.lifecycle import StrategyPatch, update_strategy


@pytest.fixture
def changed_deadline(cli_env, engine) -> None:
    """The 2019-2022 strategy lapsed; its successor's approval, due 2023-09-30, moved on 2023-10-15 to 2024-03-31."""
    with new_session(engine) as session:
        moi = f.institution(session)
        old = f.strategy(session, moi, title="Migration 2019-2022")
        for event, fields in f.STEPS_TO_STAGE["implementation"]:
            f.advance(session, old.id, event, today=date(2026, 1, 5), **fields)
        new = f.strategy(session, moi, title="Migration 2023-2030", predecessor_id=old.id,
                         period_start=date(2023, 1, 1), period_end=date(2030, 12, 31),
                         drafting_started_on=date(2022, 10, 3), approval_due=date(2023, 9, 30))
        f.advance(session, new.id, "submit_for_consultation", today=date(2026, 1, 5), effective_on=date(2023, 6, 1))
        update_strategy(session, new.id, StrategyPatch(approval_due=date(2024, 3, 31), effective_on=date(2023, 10, 15)),
                        now=f.T0, today=f.T0.date())
        session.commit()


def _line(out: str, title_part: str) -> str:
    (line,) = [candidate for candidate in out.splitlines() if title_part in candidate]
    return line


@freeze_time("2026-03-02 10:00")
def test_known_on_shows_the_deadline_as_it_was_then(changed_deadline, capsys):
    assert main(["gaps", "--as-of", "2023-08-31", "--known-on", "2023-08-31"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Policy gaps as of 2023-08-31, as known on 2023-08-31 ")
    # The deadline then (2023-09-30) was earlier than the history says: the forecast is the history's.
    assert "2023-11-22 (2023-10-19..2023-11-22, defaults)" in _line(out, "2019-2022")

    assert main(["gaps", "--as-of", "2023-08-31"]) == 0
    out = capsys.readouterr().out
    assert "as known on" not in out
    assert "2024-03-31 (2024-03-31..2024-03-31, mixed)" in _line(out, "2019-2022")


@freeze_time("2026-03-02 10:00")
def test_known_on_in_the_future_is_refused(cli_env, capsys):
    assert main(["gaps", "--known-on", "2026-03-03"]) == 1
    assert "--known-on must not be in the future (today is 2026-03-02)" in capsys.readouterr().err


def test_a_malformed_known_on_is_a_usage_error(cli_env):
    with pytest.raises(SystemExit) as exit_info:
        main(["gaps", "--known-on", "last year"])
    assert exit_info.value.code == 2
