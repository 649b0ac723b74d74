"""Keyset page tokens: round trip, the last page has no next link, and bad tokens are typed errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.web.paging import MAX_SIZE, Page, decode_key, encode_key, page_size
from shared.core.errors import ValidationError

keys = st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=20)), min_size=1, max_size=3)


@given(keys)
def test_a_key_survives_the_url_token(values: list[object]) -> None:
    assert decode_key(encode_key(values), arity=len(values)) == tuple(values)  # type: ignore[arg-type]


def test_the_extra_row_becomes_the_next_link_and_the_last_page_has_none() -> None:
    first = Page.of([1, 2, 3], 2, lambda r: (r,))
    assert first.rows == [1, 2] and decode_key(first.next_after, arity=1) == (2,)
    assert Page.of([3], 2, lambda r: (r,)).next_after == ""


@pytest.mark.parametrize("token", ["%%%", "bm90IGpzb24", encode_key(["a", "b"]), "eyJhIjoxfQ", "W3RydWVd", "A" * 600])
def test_a_tampered_or_foreign_token_is_a_validation_error(token: str) -> None:
    with pytest.raises(ValidationError) as err:
        decode_key(token, arity=1)
    assert err.value.code == "invalid.page_cursor"


@pytest.mark.parametrize("raw", ["0", "-1", str(MAX_SIZE + 1), "ten", "1.5"])
def test_page_size_outside_its_bounds_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        page_size(raw)
    assert page_size("") == 50 and page_size("7") == 7
