"""Encryption at rest for protected fields: keys (``keyring``), fields (``fields``) and key
rotation (``rotation``). Every primitive comes from the ``cryptography`` package (AES-256-GCM,
scrypt); nothing here invents its own cipher. See docs/security/encryption.md.
"""
