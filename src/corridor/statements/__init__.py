"""Joint statements: drafts, language versions, footnoted sources, endorsements and publication
(docs/statements.md)."""
