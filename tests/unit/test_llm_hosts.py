"""The host policy for model backends: public hosts and what the operator allows, never
an internal address by default (SSRF)."""

from __future__ import annotations

import pytest

from novel_platform.llm.hosts import HostPolicy, HostRefused

INTERNAL = [
    "http://127.0.0.1:11434/v1",
    "http://10.1.2.3/v1",
    "http://192.168.0.7:8000/v1",
    "http://169.254.169.254/latest/meta-data",  # cloud metadata (link-local)
    "http://100.100.100.200/v1",  # another cloud's metadata (shared address space)
    "http://0.0.0.0:8000/v1",
    "http://[::1]:8000/v1",
    "http://[fd00:ec2::254]/v1",
    "http://[::ffff:127.0.0.1]/v1",  # IPv4-mapped loopback
    "http://[64:ff9b::a9fe:a9fe]/v1",  # NAT64 form of 169.254.169.254
    "http://[2002:7f00:1::]/v1",  # 6to4 form of 127.0.0.1
]


@pytest.mark.parametrize("url", INTERNAL)
async def test_internal_addresses_are_refused_by_default(url):
    policy = HostPolicy.parse("", server_url="https://api.example.com/v1")
    assert policy.literal_refusal(url)
    with pytest.raises(HostRefused):
        await policy.check_url(url)


async def test_public_addresses_and_the_servers_own_host_are_allowed():
    policy = HostPolicy.parse("", server_url="http://127.0.0.1:11434/v1")
    await policy.check_url("https://8.8.8.8/v1")
    await policy.check_url("http://[2606:4700::1111]/v1")
    # The server default's host and port, not its other ports.
    await policy.check_url("http://127.0.0.1:11434/other")
    with pytest.raises(HostRefused):
        await policy.check_url("http://127.0.0.1:5432/v1")


async def test_the_operator_allows_addresses_networks_and_names():
    policy = HostPolicy.parse("10.0.0.0/8, 192.168.1.5, [::1], ollama:11434, vllm")
    await policy.check_url("http://10.20.30.40:8000/v1")
    await policy.check_url("http://192.168.1.5/v1")
    await policy.check_url("http://[::1]:9/v1")
    await policy.check_url("http://ollama:11434/v1")
    await policy.check_url("http://VLLM:8000/v1")  # a name without a port: any port
    for refused in ("http://192.168.1.6/v1", "http://ollama:8080/v1"):
        with pytest.raises(HostRefused):
            await policy.check_url(refused)


async def test_without_public_hosts_only_the_allowed_ones_pass():
    policy = HostPolicy.parse("10.0.0.0/8", server_url="https://api.example.com/v1", public=False)
    await policy.check_url("http://10.0.0.9/v1")
    await policy.check_url("https://api.example.com/v1")
    with pytest.raises(HostRefused, match="not in NE_LLM_ALLOWED_HOSTS"):
        await policy.check_url("https://8.8.8.8/v1")


async def test_a_name_is_judged_by_what_it_resolves_to():
    with pytest.raises(HostRefused, match="not public"):
        await HostPolicy().check_url("http://localhost:8000/v1")
    with pytest.raises(HostRefused, match="does not resolve"):
        await HostPolicy().check_url("http://no-such-host.invalid/v1")
    with pytest.raises(HostRefused, match="does not resolve"):  # found by Schemathesis
        await HostPolicy().check_url("http://" + "0" * 300)
    await HostPolicy.parse("127.0.0.0/8, ::1").check_url("http://localhost:8000/v1")


def test_a_bad_entry_is_a_configuration_error():
    for entry in ("http://ollama", "user@host", "host:port"):
        with pytest.raises(ValueError):
            HostPolicy.parse(entry)
