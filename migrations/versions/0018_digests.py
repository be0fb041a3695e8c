"""digests and the same-day merge

A row for someone who takes a daily or weekly digest is recorded ``held`` and gathered into a
digest row; a row whose content went in another row's email about the same lapse is ``merged``.
``carrier_id`` names the row whose email carries a row (its digest, or the row it was merged
into). ``held`` is an active status, so the partial due index covers it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may render sqlmodel types)
from alembic import op

import workflow.core.columns  # noqa: F401

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_OLD_ACTIVE = "status IN ('pending', 'sending')"
_NEW_ACTIVE = "status IN ('pending', 'sending', 'held')"
_OLD_ALL = "status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')"
_NEW_ALL = "status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'held', 'merged')"


def _due_index(batch_op, predicate: str, *, create: bool) -> None:
    where = {"postgresql_where": sa.text(predicate), "sqlite_where": sa.text(predicate)}
    if create:
        batch_op.create_index('ix_notifications_due', ['due_at'], unique=False, **where)
    else:
        batch_op.drop_index('ix_notifications_due', **where)


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carrier_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_notifications_carrier_id', 'notifications', ['carrier_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_notifications_carrier_id'), ['carrier_id'], unique=False)
        batch_op.drop_constraint('ck_notifications_status', type_='check')
        batch_op.create_check_constraint('ck_notifications_status', _NEW_ALL)
        _due_index(batch_op, _OLD_ACTIVE, create=False)
        _due_index(batch_op, _NEW_ACTIVE, create=True)


def downgrade() -> None:
    op.execute("UPDATE notifications SET status = 'pending' WHERE status = 'held'")
    op.execute("UPDATE notifications SET status = 'cancelled' WHERE status = 'merged'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        _due_index(batch_op, _NEW_ACTIVE, create=False)
        _due_index(batch_op, _OLD_ACTIVE, create=True)
        batch_op.drop_constraint('ck_notifications_status', type_='check')
        batch_op.create_check_constraint('ck_notifications_status', _OLD_ALL)
        batch_op.drop_index(batch_op.f('ix_notifications_carrier_id'))
        batch_op.drop_constraint('fk_notifications_carrier_id', type_='foreignkey')
        batch_op.drop_column('carrier_id')
