"""Where a model backend may be: the server's own, public hosts, and what the operator
allows. A tenant's URL must not turn the server into a client of its internal network
(SSRF): loopback, private, link-local (cloud metadata at 169.254.169.254), shared and
other non-public addresses are refused unless allowed by NE_LLM_ALLOWED_HOSTS.

Checked twice: when a URL is given (PUT /v1/settings/llm, a simulation's own backend),
and at every connection a model client opens (GuardedResolver checks the addresses it
is about to connect to), so a name that resolves elsewhere later is refused too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import ThreadedResolver
from aiohttp.abc import AbstractResolver, ResolveResult

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# IPv6 forms that carry an IPv4 address a connection may end up at.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class HostRefused(OSError):
    """A model backend's host is not one the server may call (an OSError, so a
    connection refused by GuardedResolver fails like any unreachable host)."""


@dataclass(frozen=True)
class Origin:
    host: str  # lower case, IPv6 without brackets
    port: int | None  # None: any port


def origin_of(url: str) -> Origin:
    """The host and port a URL connects to. ValueError: not an http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an http:// or https:// URL with a host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return Origin(parts.hostname.lower(), port)


def _address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _embedded(address: Address) -> Address:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


@dataclass(frozen=True)
class HostPolicy:
    """`origins`: hosts (any port, or the one given) allowed whatever they resolve to;
    `networks`: addresses allowed although not public; `public`: whether any host whose
    addresses are all public is allowed."""

    origins: frozenset[Origin] = frozenset()
    networks: tuple[Network, ...] = ()
    public: bool = True

    @classmethod
    def parse(cls, allowed: str, server_url: str = "", public: bool = True) -> HostPolicy:
        """From NE_LLM_ALLOWED_HOSTS (comma-separated: `name`, `name:port`, an IP
        address or a CIDR network) and the server default's URL, whose host and port
        are always allowed. ValueError: an entry that is none of these."""
        origins: set[Origin] = set()
        networks: list[Network] = []
        for entry in (e.strip() for e in allowed.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if any(c in entry for c in "/@?# "):
                raise ValueError(f"NE_LLM_ALLOWED_HOSTS: {entry!r} is no host, address or network")
            origin = origin_of(f"http://{entry}")
            port = origin.port if _has_port(entry) else None
            origins.add(Origin(origin.host, port))
        if server_url:
            origins.add(origin_of(server_url))
        return cls(frozenset(origins), tuple(networks), public)

    def names(self, origin: Origin) -> bool:
        """Is this host allowed by name, whatever it resolves to?"""
        return origin in self.origins or Origin(origin.host, None) in self.origins

    def refusal(self, host: str, addresses: Iterable[Address]) -> str | None:
        """Why connecting to `host` at these addresses is refused; None: allowed."""
        found = list(addresses)
        if not found:
            return f"{host} does not resolve"
        for address in found:
            if any(address in n or _embedded(address) in n for n in self.networks):
                continue
            if self.public and address.is_global and _embedded(address).is_global:
                continue
            reason = "not public" if self.public else "not in NE_LLM_ALLOWED_HOSTS"
            return f"{host} is at {address}, {reason}"
        return None

    def literal_refusal(self, url: str) -> str | None:
        """The refusal known without DNS: for a URL whose host is an IP address (a
        name waits for GuardedResolver). None: allowed, or a name."""
        origin = origin_of(url)
        address = _address(origin.host)
        if self.names(origin) or address is None:
            return None
        return self.refusal(origin.host, [address])

    async def check_url(self, url: str) -> None:
        """HostRefused unless the URL's host is allowed now (its name resolved)."""
        try:
            origin = origin_of(url)
        except ValueError as exc:
            raise HostRefused(str(exc)) from None
        if self.names(origin):
            return
        address = _address(origin.host)
        if address is not None:
            found = [address]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    origin.host, origin.port, type=socket.SOCK_STREAM
                )
            except (OSError, UnicodeError):  # UnicodeError: a label too long for IDNA
                infos = []
            found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        reason = self.refusal(origin.host, found)
        if reason:
            raise HostRefused(reason)


def _has_port(entry: str) -> bool:
    tail = entry.rsplit("]", 1)[-1]
    return ":" in tail and tail.rsplit(":", 1)[-1].isdigit()


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing (HostRefused) a name the policy does not allow at
    the addresses it resolves to: the check sits where the connection's addresses are
    chosen, so no later change of DNS gets past it."""

    def __init__(self, policy: HostPolicy) -> None:
        self._policy = policy
        self._resolver = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._resolver.resolve(host, port, family)
        if self._policy.names(Origin(host.lower(), port)):
            return results
        reason = self._policy.refusal(
            host, [ipaddress.ip_address(r["host"].split("%")[0]) for r in results]
        )
        if reason:
            raise HostRefused(reason)
        return results

    async def close(self) -> None:
        await self._resolver.close()
