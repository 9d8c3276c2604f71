"""The proximity bonus: words in order within their slop, computed for the best hits."""

import pytest

from search_service.proximity import near_count


@pytest.mark.parametrize(
    ("positions", "slop", "count"),
    [
        ([[0], [1]], 0, 1),  # side by side
        ([[0], [2]], 0, 0),  # one word between, no slop
        ([[0], [5]], 4, 1),  # four words between
        ([[0], [6]], 4, 0),  # five words between
        ([[5], [3]], 4, 0),  # wrong order
        ([[0, 10, 20], [2, 12, 40]], 4, 2),
        ([[0], [2], [4]], 1, 1),  # three words, each near the one before
        ([[0], [2], [9]], 1, 0),
        ([[0, 3], [4]], 0, 1),  # the later start is the near one
    ],
)
def test_near_count(positions, slop, count):
    assert near_count(positions, slop) == count
