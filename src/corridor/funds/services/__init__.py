"""Writes to the ledger (``ledger.py``: grants, transfers, disputes, spending; ``evidence.py``:
photos stripped of their metadata; ``rates.py``:
exchange rates by hand or from a CSV file)."""

from corridor.funds.services.evidence import MAX_UPLOAD_BYTES, evidence_add, evidence_remove
from corridor.funds.services.ledger import (
    RECEIVED,
    SENT,
    dispute_open,
    dispute_remove,
    dispute_resolve,
    grant_record,
    grant_update,
    speaks_for,
    spending_record,
    spending_remove,
    spending_update,
    transfer_confirm,
    transfer_delete,
    transfer_receive,
    transfer_record,
    transfer_remove,
    transfer_restore,
    transfer_update,
)
from corridor.funds.services.rates import (
    rate_record,
    rate_remove,
    rate_update,
    rates_import,
    rates_import_stream,
)

__all__ = [
    "MAX_UPLOAD_BYTES",
    "RECEIVED",
    "SENT",
    "dispute_open",
    "dispute_remove",
    "dispute_resolve",
    "evidence_add",
    "evidence_remove",
    "grant_record",
    "grant_update",
    "rate_record",
    "rate_remove",
    "rate_update",
    "rates_import",
    "rates_import_stream",
    "speaks_for",
    "spending_record",
    "spending_remove",
    "spending_update",
    "transfer_confirm",
    "transfer_delete",
    "transfer_receive",
    "transfer_record",
    "transfer_remove",
    "transfer_restore",
    "transfer_update",
]
