"""The batch upsert: exact created/changed counts, no-op repeats, encrypted values kept."""

from __future__ import annotations

import datetime as dt
import gc
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import example, given
from hypothesis import strategies as st

from corridor.aid.models import Activity
from corridor.exchange import writer
from corridor.exchange.kinds import IMPORT_KINDS
from corridor.exchange.writer import (
    Upsert,
    _adapter,
    _copy_column,
    _copy_value,
    _each_distinct,
    _MultiRowInsert,
    _pieces,
    _same,
    _variable_limit,
    background_inserts,
    bulk_session,
    collect_now_and_then,
    copy_text,
    uuid_array,
    uuid_hex,
    uuid_hex_all,
)
from corridor.situation.models import Incident
from corridor.testing.factories import OrganisationFactory, township

pytestmark = pytest.mark.django_db


def _activity(pk, org, women=1, notes=""):
    return (
        pk,
        str(org.pk),
        "health",
        "cash",
        "in_country",
        "MMR005022",
        dt.date(2024, 3, 1),
        None,
        None,
        "ongoing",
        women,
        0,
        0,
        0,
        0,
        None,
        None,
        "",
        notes,
        *(None, None, None, "", "", "", ""),  # of whom; village tract, village, donor; cond.
    )


@pytest.fixture
def activities():
    township()
    return Upsert(Activity, IMPORT_KINDS["activities"].columns, ("id",))


def test_counts_new_changed_and_unchanged_rows(activities):
    org = OrganisationFactory()
    ids = [uuid.uuid4() for _ in range(3)]
    assert activities.write([_activity(pk, org) for pk in ids]) == (3, 0)
    stamps = dict(Activity.objects.values_list("id", "updated_at"))

    assert activities.write([_activity(pk, org) for pk in ids]) == (0, 0)
    assert dict(Activity.objects.values_list("id", "updated_at")) == stamps

    extra = uuid.uuid4()
    rows = [_activity(ids[0], org, women=5), _activity(ids[1], org), _activity(extra, org)]
    assert activities.write(rows) == (1, 1)
    assert Activity.objects.get(pk=ids[0]).women == 5
    assert Activity.objects.get(pk=ids[1]).updated_at == stamps[ids[1]]
    assert Activity.objects.count() == 4


def test_hex_and_uuid_forms_of_an_id_are_the_same_record(activities):
    org = OrganisationFactory()
    pk = uuid.uuid4()
    assert activities.write([_activity(pk.hex, org)]) == (1, 0)
    assert activities.write([_activity(pk, org, women=2)]) == (0, 1)
    assert Activity.objects.get().pk == pk


def test_the_last_row_with_a_key_in_one_batch_counts(activities):
    org = OrganisationFactory()
    pk = uuid.uuid4()
    rows = [_activity(pk, org, notes="first"), _activity(pk, org, notes="second")]
    assert activities.write(rows) == (1, 0)
    assert Activity.objects.get().notes == "second"


def test_a_row_stored_after_the_lookup_is_updated_not_lost(activities):
    org = OrganisationFactory()
    pk = uuid.uuid4()
    activities.write([_activity(pk, org)])

    # The caller looked the batch up before someone else stored the row.
    assert activities.write([_activity(pk, org, women=9)], stored=set()) == (0, 1)
    assert Activity.objects.get().women == 9


def test_stored_rows_the_upsert_would_leave_alone_are_not_sent_at_all(activities, monkeypatch):
    # The importer looks each batch up with the compared columns (pipeline._Writer.foreign):
    # a re-imported unchanged row then reaches no statement; a changed one, or one edited in
    # the app since, is written as before (decision 0221).
    from decimal import Decimal

    sent: list[int] = []  # rows that reach the database's statements, batch by batch
    copy_upsert, insert_then_update = Upsert._copy_upsert, Upsert._insert_then_update

    def copy_spy(self, params):
        sent.append(len(params))
        return copy_upsert(self, params)

    def insert_spy(self, rows, params, *rest):
        sent.append(len(params))
        return insert_then_update(self, rows, params, *rest)

    monkeypatch.setattr(Upsert, "_copy_upsert", copy_spy)
    monkeypatch.setattr(Upsert, "_insert_then_update", insert_spy)

    org = OrganisationFactory()
    ids = [uuid.uuid4() for _ in range(3)]
    rows = [_activity(pk, org) for pk in ids]
    rows[2] = (*rows[2][:16], Decimal("12.50"), "MMK", *rows[2][18:])  # a value and currency
    assert activities.write(rows) == (3, 0)
    assert sent == [3]

    def again(batch):
        stored = activities.stored([row[0] for row in batch], *activities.compared)
        assert set(stored) == {pk.hex for pk in ids}
        sent.clear()
        return activities.write(batch, stored=stored)

    assert again(rows) == (0, 0)
    assert sent == []

    Activity.objects.filter(pk=ids[1]).update(women=99)  # edited in the app since
    changed = [rows[0], rows[1], (*rows[2][:18], "changed notes", *rows[2][19:])]
    assert again(changed) == (0, 2)
    assert sent == [2]
    assert Activity.objects.get(pk=ids[1]).women == 1
    assert Activity.objects.get(pk=ids[2]).notes == "changed notes"


def test_unchanged_encrypted_values_keep_their_ciphertext():
    township()
    incidents = Upsert(Incident, IMPORT_KINDS["incidents"].columns, ("id",))
    pk = uuid.uuid4()
    row = (
        *(pk, dt.date(2024, 3, 1), "airstrike", "MMR005022", 21.5, 93.5, 1, 0, 0, "", None),
        *("", None),  # sub-event type, geo precision
    )

    def stored():
        with connection.cursor() as cursor:
            cursor.execute("SELECT latitude, longitude FROM situation_incident")
            return cursor.fetchall()

    assert incidents.write([row]) == (1, 0)
    first = stored()
    assert "21.5" not in str(first)  # encrypted at rest

    assert incidents.write([row]) == (0, 0)
    assert stored() == first

    moved = (*row[:4], 21.6, *row[5:])
    assert incidents.write([moved]) == (0, 1)
    assert stored()[0][0] != first[0][0]
    assert Incident.objects.get().latitude == 21.6


# -- New rows moved into the table on a second thread (decision 0092) --------------------------


def _background_upsert(background):
    return Upsert(Activity, IMPORT_KINDS["activities"].columns, ("id",), background=background)


def test_background_batches_are_counted_and_visible_to_the_next_query():
    township()
    org = OrganisationFactory()
    first = [uuid.uuid4() for _ in range(300)]
    second = [uuid.uuid4() for _ in range(200)]
    with transaction.atomic(), background_inserts() as background:
        upsert = _background_upsert(background)
        counts = [upsert.write([_activity(pk, org) for pk in first])]
        # The query waits for the statement moving the first batch.
        assert Activity.objects.count() == 300
        counts.append(upsert.write([_activity(pk, org) for pk in second]))
        rows = [_activity(first[0], org, women=7), _activity(second[0], org)]
        counts.append(upsert.write(rows))
    counts.append(upsert.settled())
    assert tuple(map(sum, zip(*counts, strict=True))) == (500, 1)
    assert Activity.objects.count() == 500
    assert Activity.objects.get(pk=first[0]).women == 7
    assert background is not None


def test_a_row_stored_after_the_lookup_is_updated_in_the_background_too():
    township()
    org = OrganisationFactory()
    pk = uuid.uuid4()
    with transaction.atomic(), background_inserts() as background:
        upsert = _background_upsert(background)
        assert background is not None
        assert upsert.write([_activity(pk, org)]) == (0, 0)  # counted once moved
        again = upsert.write([_activity(pk, org, women=9)], stored=set())
    late = upsert.settled()
    assert (again[0] + late[0], again[1] + late[1]) == (1, 1)
    assert Activity.objects.get().women == 9


def test_an_error_in_the_background_reaches_the_caller_and_nothing_stays():
    township()
    org = OrganisationFactory()
    good = [_activity(uuid.uuid4(), org) for _ in range(50)]
    bad = (*_activity(uuid.uuid4(), org)[:10], -1, *_activity(uuid.uuid4(), org)[11:])
    with pytest.raises(IntegrityError), transaction.atomic(), background_inserts() as background:
        upsert = _background_upsert(background)
        upsert.write(good)
        upsert.write([bad])  # refused by the database's reach check
    assert Activity.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_background_inserts_are_refused_outside_a_transaction():
    township()
    org = OrganisationFactory()
    with background_inserts() as background:
        upsert = _background_upsert(background)
        with pytest.raises(RuntimeError, match="transaction"):
            upsert.write([_activity(uuid.uuid4(), org)])
    assert Activity.objects.count() == 0


# -- SQLite: a batch's new rows in few statements, its constant columns bound once (0392) -------

_on_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'")


def _stored_rows():
    names = [f.attname for f in Activity._meta.concrete_fields if f.attname != "id"]
    return sorted(
        (str(pk), *values) for pk, *values in Activity.all_objects.values_list("id", *names)
    )


def _written(rows, limit=None):
    """The table after these rows went in through the multi-row statements (at most
    ``limit`` values a statement), and after the same rows through the plain upsert."""
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with transaction.atomic(), background_inserts() as background:
        upsert = _background_upsert(background)
        if limit is not None:
            upsert._multi_row = _MultiRowInsert(upsert, limit)
        upsert.write(rows)
    assert upsert.settled() == (len(rows), 0)
    Activity.all_objects.update(created_at=now, updated_at=now)
    many = _stored_rows()
    Activity.all_objects.all().delete()
    plain = Upsert(Activity, IMPORT_KINDS["activities"].columns, ("id",))
    assert plain.write(rows) == (len(rows), 0)
    Activity.all_objects.update(created_at=now, updated_at=now)
    one_by_one = _stored_rows()
    Activity.all_objects.all().delete()
    return many, one_by_one


@_on_sqlite
@pytest.mark.parametrize("limit", [None, 40, 70, 1000])
def test_multi_row_statements_store_what_the_plain_upsert_stores(limit):
    """Constant and varying columns, a column equal in value but not in type (0 and False),
    NULLs, and limits that split the batch unevenly: the same rows as the plain upsert."""
    township()
    org = OrganisationFactory()
    rows = [
        _activity(uuid.uuid4(), org, women=n % 3, notes="same" if n < 4 else f"row {n}")
        for n in range(9)
    ]
    rows[2] = (*rows[2][:11], False, *rows[2][12:])  # men: 0 in the other rows
    many, one_by_one = _written(rows, limit)
    assert len(many) == 9
    assert many == one_by_one


def _prepared(count):
    """An upsert and ``count`` rows as it binds them (only the id and the women vary), and
    how many values a row has."""
    township()
    org = OrganisationFactory()
    rows = [_activity(uuid.uuid4(), org, women=n) for n in range(count)]
    upsert = Upsert(Activity, IMPORT_KINDS["activities"].columns, ("id",))
    params = upsert._params(rows, None)
    return upsert, params, len(params[0])


@_on_sqlite
def test_multi_row_statements_stay_within_the_limit_and_bind_constants_once():
    upsert, params, width = _prepared(10)
    # Only the id and the women vary: 2 values a row; the other columns are bound once. (Ten
    # rows, fewer than a statement may hold: 8 and 2, in powers of two.)
    statements = _MultiRowInsert(upsert, 1000).statements(params)
    assert [len(values) for _, values in statements] == [width - 2 + 2 * n for n in (8, 2)]
    # Within 40 values: the constants and 5 rows, twice.
    statements = _MultiRowInsert(upsert, 40).statements(params)
    assert [len(values) for _, values in statements] == [width - 2 + 2 * 5] * 2
    # A limit the constants and one row fill: one row a statement.
    statements = _MultiRowInsert(upsert, width + 1).statements(params)
    assert [len(values) for _, values in statements] == [width] * 10


@_on_sqlite
def test_multi_row_statements_come_in_a_few_shapes(monkeypatch):
    """At most MULTI_ROW_MOST rows a statement and the rest in powers of two, so batches of
    any size share prepared statements; and after MULTI_ROW_SETS sets of constant columns a
    new set binds every value in its row."""
    upsert, params, width = _prepared(13)
    monkeypatch.setattr(writer, "MULTI_ROW_MOST", 4)
    multi = _MultiRowInsert(upsert, 250_000)
    statements = multi.statements(params)  # 13 rows: 4 + 4 + 4 + 1
    assert [len(values) for _, values in statements] == [width - 2 + 2 * n for n in (4, 4, 4, 1)]
    for count in range(1, 14):
        multi.statements(params[:count])
    assert {key[2] for key in multi._sql} == {4, 2, 1}
    # Four sets of constant columns (another column varying each time), then none.
    for n in range(1, 6):
        varied = [(*row[:n], f"v{k}", *row[n + 1 :]) for k, row in enumerate(params)]
        multi.statements(varied)
    assert len(multi._sets) == writer.MULTI_ROW_SETS + 1
    assert () in multi._sets


@pytest.mark.parametrize(
    ("count", "most", "pieces"),
    [
        (0, 5, []),
        (5, 5, [5]),
        (13, 5, [5, 5, 2, 1]),
        (4999, 5000, [4096, 512, 256, 128, 4, 2, 1]),
        (7, 1, [1] * 7),
    ],
)
def test_pieces_are_the_most_then_powers_of_two(count, most, pieces):
    assert _pieces(count, most) == pieces
    assert sum(pieces) == count


@_on_sqlite
def test_the_variable_limit_is_read_from_the_connection():
    with connection.cursor() as cursor:
        limit = _variable_limit(cursor)
        marks = ", ".join(["?"] * 2000)
        cursor.cursor.execute(f"SELECT count(*) FROM (VALUES ({marks}))", list(range(2000)))
    assert limit >= 2000  # a modern SQLite or SQLCipher; 999 only where nothing tells


def test_the_variable_limit_without_getlimit_comes_from_the_compile_options():
    """SQLCipher's driver has no ``getlimit``: its library says its limit in its compile
    options; a library that says nothing gets SQLite's historical 999."""
    sqlcipher3 = pytest.importorskip("sqlcipher3")
    raw = sqlcipher3.connect(":memory:")
    assert not hasattr(raw, "getlimit")
    options = [o for (o,) in raw.execute("PRAGMA compile_options") if o.startswith("MAX_VARIABLE")]
    assert _variable_limit(raw.cursor()) == int(options[0].partition("=")[2])

    class Silent:
        connection = None

        def execute(self, sql):
            assert sql == "PRAGMA compile_options"

        def fetchall(self):
            return [("THREADSAFE=1",)]

    assert _variable_limit(Silent()) == 999


@pytest.mark.parametrize(
    ("column", "same"),
    [
        ([None, None], True),
        (["a", "a", "a"], True),
        ([1], True),
        ([0, 0, False], False),  # equal values, bound differently
        ([1, 1.0], False),
        (["a", "b"], False),
        ([None, ""], False),
    ],
)
def test_same_means_equal_and_of_one_type(column, same):
    assert _same(column) is same


# Ids as an import's batches carry them: the importer's 32 hex digits, UUID objects, dashed
# text, an organisation's id in any of these forms, or none.
_IDS = st.one_of(
    st.none(),
    st.uuids().map(lambda u: u.hex),
    st.uuids(),
    st.uuids().map(str),
)


@given(st.lists(_IDS, max_size=30) | st.lists(st.uuids().map(lambda u: u.hex), max_size=30))
def test_uuid_hex_all_is_uuid_hex_of_each_value(ids):
    """The whole-batch shortcut (every value already 32 hex digits) gives what ``uuid_hex``
    gives value by value, and so does the per-value path for mixed batches."""
    assert uuid_hex_all(iter(ids)) == [None if v is None else uuid_hex(v) for v in ids]


@given(
    st.lists(st.none() | st.dates(), max_size=40),
    st.lists(
        st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9),
        max_size=40,
    ),
)
def test_each_distinct_is_the_adapter_of_each_value(dates, amounts):
    """A batch column through its field's adapter once per distinct value is the adapter of
    each value (equal values alike: 1.0 and 1.00), None left as None."""
    for name, column in (("reporting_month", dates), ("value", amounts)):
        adapt = _adapter(Activity._meta.get_field(name))
        assert adapt is not None
        expected = [None if v is None else adapt(v) for v in column]
        assert _each_distinct(adapt, list(column)) == expected


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_collector_waits_during_an_import_and_cycles_are_collected_between_batches(
    monkeypatch,
):
    """Inside ``bulk_session`` the collector does not run on its own (decision 0384); between
    batches, past ``COLLECT_EVERY`` objects, the cycles made so far are collected; after the
    session the collector runs as before."""
    import weakref

    from corridor.exchange import writer

    assert gc.isenabled()
    with bulk_session():
        assert not gc.isenabled()
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        del cycle
        collect_now_and_then()  # far under a million objects: nothing collected yet
        assert gone() is not None
        monkeypatch.setattr(writer, "COLLECT_EVERY", 0)
        collect_now_and_then()
        assert gone() is None
    assert gc.isenabled()


# -- PostgreSQL: COPY's text format built column by column (decision 0394) --------------------

_on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'")

# Text a 4W sheet's notes or donor may hold: COPY's own delimiters, its NULL and end marks,
# other scripts.
_AWKWARD = [
    "",
    "plain",
    "tab\there",
    "line\nbreak",
    "carriage\rreturn",
    "back\\slash",
    "\\N",
    "\\.",
    "ends with \\",
    "\\t is not a tab",
    "မြန်မာ ကရင်",
    "emoji 🙂",
    "quote ' and \" and ,",
]
_COPIED = {
    "k": "int",
    "s": "text",
    "n": "bigint",
    "d": "date",
    "ts": "timestamptz",
    "m": "numeric(14, 2)",
    "b": "boolean",
    "u": "uuid",
    "f": "double precision",
}
_MYANMAR = dt.timezone(dt.timedelta(hours=6, minutes=30))


def _copied(rows, *, text):
    """The rows as the server stores them after a COPY in the text format built here, or
    after psycopg's own ``write_row``."""
    names = list(_COPIED)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(
            "CREATE TEMP TABLE copied (" + ", ".join(f"{n} {t}" for n, t in _COPIED.items()) + ")"
        )
        try:
            if text:
                made = copy_text(names, rows)
                assert made is not None
                order, data = made
                with cursor.copy(f"COPY copied ({order}) FROM STDIN") as copy:
                    copy.write(data)
            else:
                with cursor.copy(f"COPY copied ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute(f"SELECT {', '.join(names)} FROM copied ORDER BY k")
            return cursor.fetchall()
        finally:
            cursor.execute("DROP TABLE copied")


def _awkward_rows():
    """Every awkward text, with numbers, dates, stamps, amounts, flags and ids varying and
    NULL in every column but the key somewhere."""
    rows = []
    for k, text in enumerate(_AWKWARD):
        rows.append(
            (
                k,
                text,
                [0, -7, 2**40, None][k % 4],
                [dt.date(2024, 3, 1), dt.date(1999, 12, 31), None][k % 3],
                [
                    dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
                    dt.datetime(2021, 2, 1, 9, 30, tzinfo=_MYANMAR),
                    None,
                ][k % 3],
                [Decimal("12.50"), Decimal("1E+3"), Decimal("-0.01"), None][k % 4],
                [True, False, None][k % 3],
                [uuid.UUID(int=k), None][k % 2],
                [0.1, 1e16, -2.5, None][k % 4],
            )
        )
    rows[-1] = (rows[-1][0], None, *rows[-1][2:])
    return rows


@_on_postgresql
def test_copy_text_stores_what_psycopgs_write_row_stores():
    rows = _awkward_rows()
    stored = _copied(rows, text=True)
    assert stored == _copied(rows, text=False)
    assert [row[1] for row in stored] == [*_AWKWARD[:-1], None]


@_on_postgresql
@pytest.mark.parametrize("awkward", _AWKWARD)
def test_each_awkward_text_alone_in_its_column_is_stored_as_given(awkward):
    """One awkward text beside plain ones: the column's check for characters to escape sees
    it on its own."""
    rest = _awkward_rows()[0][2:]
    rows = [(k, text, *rest) for k, text in enumerate(["plain", awkward])]
    stored = _copied(rows, text=True)
    assert [row[1] for row in stored] == ["plain", awkward]
    assert stored == _copied(rows, text=False)


@_on_postgresql
def test_copy_text_with_constant_columns_stores_what_write_row_stores():
    """Columns the same in every row (NULL among them) are written once, at the end of each
    line; the server stores the same rows."""
    when = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    rows = [
        (k, "same\ttext", None, dt.date(2024, 3, 1), when, Decimal("5"), True, None, None)
        for k in range(5)
    ]
    order, _ = copy_text(list(_COPIED), rows)
    assert order == "k, s, n, d, ts, m, b, u, f"  # only the key varies
    assert _copied(rows, text=True) == _copied(rows, text=False)


def test_copy_text_puts_constant_columns_last_and_refuses_other_types():
    names = ["a", "b", "c"]
    order, data = copy_text(names, [(1, "x", None), (2, "x", None)])
    assert order == "a, b, c"
    order, data = copy_text(names, [("x", 1, None), ("x", 2, None)])
    assert (order, data) == ("b, a, c", "1\tx\t\\N\n2\tx\t\\N\n")
    assert copy_text(names, [("x", 1, None)]) == ("a, b, c", "x\t1\t\\N\n")
    # Types not written here (a time of day, bytes, a subclass of str): psycopg's write_row.
    for odd in (dt.time(1, 2), b"bytes", type("Label", (str,), {})("x")):
        assert copy_text(names, [("x", 1, odd), ("y", 2, None)]) is None


_COPY_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False, places=2, max_value=10**6, min_value=-(10**6)),
    st.text(),
    st.dates(),
    st.uuids(),
)


@given(st.lists(_COPY_VALUES, min_size=1, max_size=30) | st.lists(st.text(), min_size=1))
@example(["a\tb", "c"])
@example(["a\nb", "c"])
@example(["a\rb", "c"])
@example(["a\\b", "c"])
@example([1, True, 1.0, Decimal(1), None])
def test_a_column_in_copy_text_is_each_value_in_copy_text(column):
    """The column-at-a-time shortcuts (no escaping when nothing needs it, one call per
    distinct value) give what ``_copy_value`` gives value by value, 1, 1.0 and True kept
    apart."""
    types = set(map(type, column))
    assert list(_copy_column(tuple(column), types)) == [_copy_value(v) for v in column]


def test_uuid_array_is_one_literal_of_hex_ids_and_the_list_otherwise():
    ids = [uuid.UUID(int=n).hex for n in (1, 2, 3)]
    assert uuid_array(ids) == "{" + ",".join(ids) + "}"
    for odd in (
        ["g" * 32],
        ["ABCDEF" * 5 + "00"],
        [uuid.UUID(int=1)],
        [ids[0][:-1]],
        ["{,}" * 10 + "aa"],
    ):
        assert uuid_array(odd) == odd


@_on_postgresql
def test_awkward_text_goes_through_the_upsert_as_it_was_given(activities, monkeypatch):
    """An import's batch of activities, notes full of COPY's delimiters, stored as given, in
    the text format built here (not psycopg's write_row); and looked up again by its ids."""
    made: list[bool] = []
    real = writer.copy_text

    def spy(names, params):
        result = real(names, params)
        made.append(result is not None)
        return result

    monkeypatch.setattr(writer, "copy_text", spy)
    org = OrganisationFactory()
    ids = [uuid.uuid4() for _ in _AWKWARD]
    rows = [
        _activity(pk, org, women=n, notes=t)
        for n, (pk, t) in enumerate(zip(ids, _AWKWARD, strict=True))
    ]
    assert activities.write(rows) == (len(rows), 0)
    assert made == [True]
    notes = dict(Activity.objects.values_list("id", "notes"))
    assert notes == dict(zip(ids, _AWKWARD, strict=True))
    found = activities.stored([pk.hex for pk in ids], "notes")
    assert {key: values[0] for key, values in found.items()} == {
        pk.hex: t for pk, t in zip(ids, _AWKWARD, strict=True)
    }
