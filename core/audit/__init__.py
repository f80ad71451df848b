"""The audit trail: append-only, hash-chained events."""
