"""The only code that touches SQLite: schema, migrations, queue log, call records, tasks."""
