"""The commitment step of a workshop: when its facilitators opened it

Revision ID: d41c7e5a9b20
Revises: d41e7a0c5b93
Create Date: 2026-11-30 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41c7e5a9b20'
down_revision = 'd41e7a0c5b93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commitments_opened_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('commitments_opened_at')
