"""Bring your own model: one OpenAI-compatible backend per configuration, shared by the
services that ask a model (decisions in simulation, prose in story)."""
