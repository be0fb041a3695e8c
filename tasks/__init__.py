"""The Celery adapter: beat runs the scheduler pass every tick; workers send ledger rows."""
