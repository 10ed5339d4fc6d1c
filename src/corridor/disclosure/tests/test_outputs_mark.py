"""The output marks: a shared output that skips the gate raises; one that passes it answers."""

from __future__ import annotations

import pytest

from corridor.disclosure import (
    INTERNAL,
    REFERENCE,
    REGISTER,
    SHARED,
    DisclosureError,
    internal_output,
    output_of,
    publish_table,
    reference_output,
    shared_output,
)


@pytest.fixture(autouse=True)
def _register_untouched():
    """Outputs made up by these tests leave the real register as it was."""
    before = dict(REGISTER)
    yield
    REGISTER.clear()
    REGISTER.update(before)


def test_shared_output_that_skips_the_gate_raises():
    @shared_output("test-skips-gate", what="a test output that forgets the gate")
    def leaky():
        return {("MMR001001", "2024-03"): 2}

    with pytest.raises(DisclosureError, match="test-skips-gate"):
        leaky()
    assert output_of(leaky).audience == SHARED


def test_shared_output_through_the_gate_answers():
    @shared_output("test-uses-gate", what="a test output that suppresses its table")
    def safe():
        table = publish_table({("a", "m"): 2, ("b", "m"): 9}, rows=["a", "b"], columns=["m"], k=5)
        return table.cell("a", "m")

    assert safe() is None
    assert REGISTER["test-uses-gate"].what.startswith("a test output")


def test_gate_used_outside_a_shared_output_does_not_count_for_the_next():
    publish_table({("a", "m"): 9}, rows=["a"], columns=["m"], k=5)

    @shared_output("test-skips-gate-later", what="a test output that forgets the gate")
    def leaky():
        return 1

    with pytest.raises(DisclosureError):
        leaky()


def test_internal_output_is_marked_with_its_role():
    @internal_output("test-internal", role="export", what="a test internal output")
    def internal():
        return "rows"

    assert internal() == "rows"
    mark = output_of(internal)
    assert (mark.audience, mark.role) == (INTERNAL, "export")
    assert output_of(lambda: None) is None


def test_one_name_cannot_mean_two_outputs():
    shared_output("test-twice", what="one meaning")
    with pytest.raises(DisclosureError, match="registered twice"):
        internal_output("test-twice", role="export", what="another meaning")


def test_reference_output_needs_no_gate():
    @reference_output("test-reference", what="the gazetteer: no records")
    def gazetteer():
        return ["MMR001"]

    assert gazetteer() == ["MMR001"]
    assert output_of(gazetteer).audience == REFERENCE


def test_a_shared_output_built_by_another_counts_for_the_outer_one():
    @shared_output("test-inner", what="a service through the gate")
    def inner():
        return publish_table({("a", "b"): 7}, rows=["a"], columns=["b"]).cell("a", "b")

    @shared_output("test-outer", what="a route that calls the service")
    def outer():
        return inner()

    @shared_output("test-outer-leaky", what="a route that calls nothing")
    def leaky():
        return 7

    assert outer() == 7
    with pytest.raises(DisclosureError, match="test-outer-leaky"):
        leaky()
