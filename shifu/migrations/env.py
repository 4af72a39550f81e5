"""Alembic environment: shifu passes an open connection in config.attributes."""

from alembic import context

from shifu.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - shifu always passes one
    raise RuntimeError("run migrations through `shifu db upgrade`")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
