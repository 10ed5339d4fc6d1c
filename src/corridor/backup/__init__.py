"""Encrypted, integrity-checked backups and restores of a whole instance
(docs/security/backup.md)."""
