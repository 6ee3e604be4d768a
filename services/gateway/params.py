"""Path and query parameters the routes share: one bound for an id, one paging pair."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from novel_engine.v1 import common_pb2
from novel_platform.characters import MAX_ID

# The id of a simulation, story or world in a path. A longer one is refused with a 422
# in the error envelope (it could name nothing), never cut short to a different id.
ResourceId = Annotated[str, Path(max_length=MAX_ID)]


def _page_request(
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    page_token: Annotated[str, Query(max_length=200)] = "",
) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=page_size, page_token=page_token)


# `?page_size=&page_token=` of every list route, as the services' PageRequest.
Page = Annotated[common_pb2.PageRequest, Depends(_page_request)]
