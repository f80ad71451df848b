"""Side effects after commit: rows written in the business transaction, worked off later.

A service that must trigger slow or fallible work (rendering the archival PDF, indexing) inserts
an outbox row in the same transaction as the change itself, so the work is recorded if and only
if the change is committed. A worker (``flask --app wsgi outbox run``) claims rows with a lease,
runs the handler registered for the row's topic, and marks it done; a failure is recorded on the
row and retried with back-off, and a worker that dies mid-task lets its lease expire.
"""
