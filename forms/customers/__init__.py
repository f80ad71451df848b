"""One view of a customer (issue 21, part A): records linked by keyed digests of their phone,
policy and order numbers; the view is computed from the records, never a second copy."""
