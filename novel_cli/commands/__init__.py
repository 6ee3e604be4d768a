"""The user commands of `novel`: one module per resource, over the public /v1 API."""
