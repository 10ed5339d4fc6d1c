"""Writes of the sync app, by topic: ``peers`` (identity and peers), ``merge`` (versions and
the merge of incoming records), ``bundles`` (bundles out and in)."""
