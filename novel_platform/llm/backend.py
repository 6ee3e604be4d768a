"""What a model backend is, and how its three layers of configuration combine.

A server-wide default (NE_LLM_*), a tenant's override, a simulation's override: each
later layer replaces the fields it sets. The API key is kept out of `repr` and of every
dictionary meant for a response or a log (`public()`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from novel_platform.config import ENV_PREFIX
from novel_platform.llm.hosts import HostPolicy

# Fields a tenant or a simulation may override (the key, too, but never shown).
OVERRIDABLE = ("base_url", "model", "api_key", "temperature", "max_tokens", "token_budget")


@dataclass(frozen=True)
class Backend:
    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    temperature: float = 0.2
    max_tokens: int = 256  # per call: the answer's ceiling, also what a call reserves
    token_budget: int = 50_000  # per simulation, prompts and answers together
    timeout_seconds: float = 20.0  # deadline of one call, retries and queueing included
    max_concurrency: int = 64  # calls in flight to this backend from one process
    structured: bool = True  # JSON-schema output; False: JSON validated by us

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)

    def layered(self, override: Mapping[str, Any]) -> Backend:
        """This backend with the override's non-empty fields."""
        changes = {k: v for k, v in override.items() if k in OVERRIDABLE and v not in (None, "")}
        return replace(self, **changes)

    def public(self) -> dict[str, Any]:
        """Everything but the key: for responses, logs and stored copies."""
        shown = asdict(self)
        del shown["api_key"]
        shown["api_key_set"] = bool(self.api_key)
        return shown

    @classmethod
    def from_public(cls, values: Mapping[str, Any], api_key: str = "") -> Backend:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known}, api_key=api_key)


class LlmSettings(BaseSettings):
    """The server-wide default backend; empty base URL or model: fully offline."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr = SecretStr("")
    # Fernet key (urlsafe base64, 32 bytes) sealing tenants' API keys at rest.
    llm_secret_key: SecretStr = SecretStr("")
    llm_temperature: float = Field(default=0.2, ge=0, le=2)
    llm_max_tokens: int = Field(default=256, ge=16, le=32_768)
    llm_token_budget: int = Field(default=50_000, ge=0)
    llm_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    llm_max_concurrency: int = Field(default=64, ge=1, le=4096)
    llm_structured_output: bool = True
    # Hosts a tenant's or a simulation's backend may be at besides public ones and the
    # default's own (novel_platform.llm.hosts): comma-separated names, name:port, IP
    # addresses or CIDR networks. Without public hosts, only these and the default's.
    llm_allowed_hosts: str = ""
    llm_public_hosts: bool = True

    # docker-compose and Kubernetes pass every NE_LLM_* variable, empty when the operator
    # sets none: an empty number or flag is its default here, not a parse error.
    @field_validator(
        "llm_temperature",
        "llm_max_tokens",
        "llm_token_budget",
        "llm_timeout_seconds",
        "llm_max_concurrency",
        "llm_structured_output",
        "llm_public_hosts",
        mode="before",
    )
    @classmethod
    def _empty_is_default(cls, value: object, info: ValidationInfo) -> object:
        if value == "" and info.field_name is not None:
            return cls.model_fields[info.field_name].default
        return value

    def host_policy(self) -> HostPolicy:
        """ValueError: an NE_LLM_ALLOWED_HOSTS entry that is no host, address or network."""
        return HostPolicy.parse(self.llm_allowed_hosts, self.llm_base_url, self.llm_public_hosts)

    def backend(self) -> Backend:
        return Backend(
            base_url=self.llm_base_url,
            model=self.llm_model,
            api_key=self.llm_api_key.get_secret_value(),
            temperature=self.llm_temperature,
            max_tokens=self.llm_max_tokens,
            token_budget=self.llm_token_budget,
            timeout_seconds=self.llm_timeout_seconds,
            max_concurrency=self.llm_max_concurrency,
            structured=self.llm_structured_output,
        )
