"""Voting rounds: the board's current round, and each vote's round

Revision ID: d41e7a0c5b93
Revises: c9a4e27d22ac
Create Date: 2026-11-30 22:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41e7a0c5b93'
down_revision = 'c9a4e27d22ac'
branch_labels = None
depends_on = None


def upgrade():
    # Existing boards are in their first round, and every vote cast so far belongs to it.
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_round', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('round_shown', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('round')

    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_column('round_shown')
        batch_op.drop_column('vote_round')
