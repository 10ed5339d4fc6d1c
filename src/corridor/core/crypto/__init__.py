"""Encryption at rest for protected fields: keys (``keyring``) and fields (``fields``).

Rotation, which also writes audit entries, is in ``corridor.keys.services``. Every primitive
comes from the ``cryptography`` package (AES-256-GCM, scrypt); nothing here invents its own
cipher. See docs/security/encryption.md.
"""
