"""Table checksums: both methods against their written definitions, and constant memory."""

import hashlib
import json
import tracemalloc

import pytest

from corridor.backup import tables

ROWS = [
    ["8c1e0b6e-0000-7000-8000-000000000001", "Mawlamyine", 12, None, True, "1.50"],
    ["8c1e0b6e-0000-7000-8000-000000000002", "ဘားအံ", 0, {"z": 1, "a": [2, {"y": 3, "b": 4}]}],
    ["8c1e0b6e-0000-7000-8000-000000000003", "a {brace} in a string", -4, 2.5, False],
    [{"b64": "AAEC"}, "2024-03-01T00:00:00+00:00"],
]


def canonical_digest(row) -> bytes:
    text = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()


def checksum(method: str, rows) -> str:
    total = tables.TableSum(method)
    for row in rows:
        total.add(row, tables.row_text(row))
    return total.checksum


def test_sorted_checksum_is_the_sha256_of_the_sorted_row_digests():
    """Backups written before decision 0379 recorded this; they must still check."""
    expected = hashlib.sha256(b"".join(sorted(canonical_digest(r) for r in ROWS))).hexdigest()
    assert checksum(tables.SORTED, ROWS) == expected
    assert checksum(tables.SORTED, ROWS[::-1]) == expected


def test_sum_checksum_adds_the_row_digests_modulo_2_to_the_256():
    total = sum(int.from_bytes(canonical_digest(r), "big") for r in ROWS) % (1 << 256)
    assert checksum(tables.SUM, ROWS) == f"{total:064x}"
    assert checksum(tables.SUM, ROWS[::-1]) == f"{total:064x}"
    # Any changed value, a dropped row or a row twice changes it.
    assert checksum(tables.SUM, [*ROWS[:3], [{"b64": "AAED"}, ROWS[3][1]]]) != f"{total:064x}"
    assert checksum(tables.SUM, ROWS[:3]) != f"{total:064x}"
    assert checksum(tables.SUM, [*ROWS, ROWS[0]]) != f"{total:064x}"


def test_an_empty_table_has_a_fixed_checksum_under_each_method():
    assert tables.TableSum(tables.SUM).checksum == "0" * 64
    assert tables.TableSum(tables.SORTED).checksum == hashlib.sha256().hexdigest()
    with pytest.raises(ValueError, match="unknown table checksum"):
        tables.TableSum("md5")


def test_row_digest_of_the_written_text_equals_the_canonical_digest():
    for row in ROWS:
        assert tables.row_digest(row, tables.row_text(row)) == canonical_digest(row)
        assert tables.row_digest(row) == canonical_digest(row)
        assert json.loads(tables.row_text(row)) == row


@pytest.mark.parametrize(("method", "grows"), [(tables.SUM, False), (tables.SORTED, True)])
def test_memory_of_a_checksum_grows_with_the_rows_only_for_the_old_method(method, grows):
    """The backup keeps one TableSum per table while it writes it: 10 million rows must not
    mean 10 million digests in memory (issue 18 §5: the backup passed 1 GB)."""

    def held(n: int) -> int:
        tracemalloc.start()
        try:
            total = tables.TableSum(method)
            for k in range(n):
                total.add_digest(hashlib.sha256(k.to_bytes(8, "big")).digest())
            return tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()

    small, large = held(5_000), held(20_000)
    if grows:
        assert large - small > 15_000 * 32
    else:
        assert large - small < 1_000
