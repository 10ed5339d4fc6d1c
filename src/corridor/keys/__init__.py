"""Operating the field-encryption keys: rotation and retirement, audited (a plain package, no
models; the keys and fields themselves are in corridor.core.crypto)."""
