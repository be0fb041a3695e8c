"""one contact per address and institution: a case-folded address key, unique per institution

Contacts recorded twice before the rule existed keep their rows (the ledger names them); the
later copies get a key marked with their id, so the constraint holds and nothing is deleted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts') as batch_op:
        batch_op.add_column(sa.Column('email_key', sa.String(length=340), nullable=True))
    op.execute("UPDATE contacts SET email_key = lower(email)")
    op.execute(
        "UPDATE contacts SET email_key = email_key || '#' || CAST(id AS VARCHAR(12)) "
        "WHERE id NOT IN (SELECT min(id) FROM contacts GROUP BY institution_id, lower(email))"
    )
    with op.batch_alter_table('contacts') as batch_op:
        batch_op.alter_column('email_key', existing_type=sa.String(length=340), nullable=False)
        batch_op.create_unique_constraint('uq_contacts_institution_email', ['institution_id', 'email_key'])


def downgrade() -> None:
    with op.batch_alter_table('contacts') as batch_op:
        batch_op.drop_constraint('uq_contacts_institution_email', type_='unique')
        batch_op.drop_column('email_key')
