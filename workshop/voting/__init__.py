"""Dot voting: budgets per person or per city team, a cap per card, counts hidden until reveal."""
