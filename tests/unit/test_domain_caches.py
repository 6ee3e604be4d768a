"""The engine's caches live as long as the simulation process: each must be bounded, and
keyed by what repeats from run to run, not by what is new in every run."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import Any

import services.simulation.domain as domain
from services.simulation.domain import start_world
from services.simulation.domain.scenery import words
from tests.unit.test_world_variants import sheets


def _caches() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for module in pkgutil.iter_modules(domain.__path__):
        loaded = importlib.import_module(f"{domain.__name__}.{module.name}")
        for name, value in vars(loaded).items():
            if (
                isinstance(value, functools._lru_cache_wrapper)
                and value.__module__ == loaded.__name__
            ):
                found[f"{loaded.__name__}.{name}"] = value
    return found


def test_every_cache_of_the_engine_is_bounded() -> None:
    caches = _caches()
    assert "services.simulation.domain.scenery.words" in caches  # the scan finds them
    unbounded = [
        name for name, cache in caches.items() if cache.cache_parameters()["maxsize"] is None
    ]
    assert unbounded == []


def test_a_new_world_leaves_no_entry_for_its_cast_as_a_whole() -> None:
    # The cast and the seed's goals make a text new in almost every run: as a key of the
    # words cache it would fill the cache with one-off entries, each the size of the
    # whole cast's goals, pushing out the ones that repeat.
    cast = sheets(4)
    world = start_world(cast, seed=11, setting="", scenario="Hold the pass", turns_total=3)
    goals = [g for c in world.characters for g in c.goals]
    whole = " ".join(["Hold the pass", *goals])
    before = words.cache_info().misses
    words(whole)
    assert words.cache_info().misses == before + 1
