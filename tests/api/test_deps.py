"""Header parsing that HTTP clients in tests cannot always reach byte for byte."""

import pytest

from api.deps import expected_version
from workflow.core import MalformedIfMatch


@pytest.mark.parametrize(
    ("header", "versions"),
    [(None, None), ("*", None), (" * ", None), ('"3"', {3}), ('"3", "4"', {3, 4}), (' "12" ', {12})],
)
def test_if_match_lists_the_versions_seen(header, versions):
    assert expected_version(header) == versions


# Latin-1 digits (what a raw header byte 0xB2 decodes to) and other non-ASCII digits are not ETags.
@pytest.mark.parametrize("header", ['"²"', '"³"', '"¹"', '"١"', '"3", "²"', 'W/"3"', '"3"x', '"1234567890"'])
def test_if_match_refuses_anything_but_ascii_strong_etags(header):
    with pytest.raises(MalformedIfMatch):
        expected_version(header)
