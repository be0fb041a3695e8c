"""The quick start's admin token: each `continuum dev` start replaces the previous one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from workflow.access import ApiToken, TokenRefused, active_local_admin, issue_local_admin_token, verify_token

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_a_new_local_admin_token_revokes_the_previous_ones(session):
    first = issue_local_admin_token(session, T0)
    second = issue_local_admin_token(session, T0 + timedelta(hours=1))
    assert verify_token(session, second, now=T0 + timedelta(hours=1))
    try:
        verify_token(session, first, now=T0 + timedelta(hours=1))
        raise AssertionError("the replaced local admin token still works")
    except TokenRefused:
        pass
    live = [r for r in session.scalars(select(ApiToken)) if r.revoked_at is None]
    assert len(live) == 1 and live[0].name == "local-admin-20260105-100000"
    assert active_local_admin(session, T0 + timedelta(hours=1)) == live[0]
