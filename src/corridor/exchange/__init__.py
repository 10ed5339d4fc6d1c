"""Data exchange in the field's formats: HXL, ACLED-style events, XLSForm/KoBo, IATI.

See docs/exchange.md.
"""
