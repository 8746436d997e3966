"""Alembic migrations; `sportscenter migrate` runs them."""
