"""The NE_LLM_* variables, taken from the settings class and the services that read it,
so the compose and Kubernetes checks follow the code instead of a list kept by hand."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

import pytest
from pydantic import SecretStr

from novel_cli.registry import SERVICES
from novel_platform.config import ENV_PREFIX, load_settings
from novel_platform.llm.backend import LlmSettings


def _reads_llm_settings(module: str) -> bool:
    config = importlib.import_module(f"{module}.config")
    return any(
        isinstance(value, type) and issubclass(value, LlmSettings) and value is not LlmSettings
        for value in vars(config).values()
    )


# Services whose settings class includes LlmSettings: simulation and story.
LLM_SERVICES = frozenset(s.name for s in SERVICES if _reads_llm_settings(s.module))
_VARIABLES = {
    ENV_PREFIX + name.upper(): field.annotation is SecretStr
    for name, field in LlmSettings.model_fields.items()
}
# Plain settings (ConfigMap, .env) and keys (Secret, the shell).
LLM_SETTINGS = frozenset(name for name, secret in _VARIABLES.items() if not secret)
LLM_KEYS = frozenset(name for name, secret in _VARIABLES.items() if secret)


def settings_from(env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch) -> LlmSettings:
    """LlmSettings as a service would load them from exactly these NE_LLM_* variables."""
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        if name in _VARIABLES:
            monkeypatch.setenv(name, value)
    return load_settings(LlmSettings)


def defaults() -> LlmSettings:
    """Every field at its default: what empty variables must amount to."""
    return LlmSettings.model_construct()
