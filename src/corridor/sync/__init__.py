"""Field instances that work offline and exchange their records with peers by file
(docs/sync.md, decision 0275)."""
