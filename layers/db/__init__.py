"""The database behind accounts, corrections and the audit trail: SQLite with SpatiaLite as the
embedded default, PostgreSQL with PostGIS for a team on several servers.

`engine.Database` connects, `models` is the schema, `migrate` runs the Alembic migrations kept in
`migrations/`, `audit` writes and reads the audit log, and `store.DatabaseStore` serves the
`layers.protocol.PlanStore` contract from the data files with the approved corrections applied.
"""
