"""Languages: a facilitator's chosen language, a workshop's default language, a city report's language

Revision ID: e15a0c1d2b30
Revises: d41c7e5a9b20
Create Date: 2026-12-01 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e15a0c1d2b30'
down_revision = 'd41c7e5a9b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('facilitators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_language', sa.String(length=16), server_default='en', nullable=False))
    with op.batch_alter_table('city_teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('city_teams', schema=None) as batch_op:
        batch_op.drop_column('report_language')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('default_language')
    with op.batch_alter_table('facilitators', schema=None) as batch_op:
        batch_op.drop_column('language')
