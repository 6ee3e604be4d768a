"""novel_platform.timestamps sets what Timestamp.FromDatetime would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from novel_platform.timestamps import timestamp


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 2, 8, 30, 5, 123456, tzinfo=UTC),
        datetime(2026, 12, 2, 8, 30, 5, 123456),  # naive: UTC
        datetime(2026, 5, 1, 3, 4, 5, 999999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),  # before the epoch
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_a_timestamp_is_the_one_from_datetime_would_make(value: datetime) -> None:
    expected = Timestamp()
    expected.FromDatetime(value)
    assert timestamp(value) == expected
