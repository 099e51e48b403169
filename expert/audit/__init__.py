"""The audit trail: records of each consultation, the hash-chained log, keys, replay and diff."""
