"""Where a webhook may be sent: the URL's form, and the SSRF check of the addresses it leads to.

A receiver must be on a public address: private, loopback, link-local, shared (carrier NAT),
reserved, documentation, unspecified and multicast addresses are refused, as are IPv6 addresses
that embed an IPv4 one which would be refused (IPv4-mapped ``::ffff:0:0/96``, IPv4-compatible
``::/96``, IPv4-translated ``::ffff:0:0:0/96`` (SIIT), 6to4, the NAT64 well-known prefix
``64:ff9b::/96``, Teredo) and every local-use NAT64 address (``64:ff9b:1::/48``, RFC 8215: where
the IPv4 address sits depends on the prefix length its operator chose, so it cannot be checked),
unless ``CONTINUUM_WEBHOOK_ALLOW_PRIVATE`` allows them (tests, local use).

**When it is checked.** At registration, the URL's form, and its host when it is an IP address
or ``localhost``: names are not resolved there, so registering answers at once and does not
depend on the API's DNS (an air-gapped API may not resolve what its workers reach). At every
delivery the host is resolved again and every address it resolves to is checked; the request
then goes to the address that was checked (the URL's host stays in the Host header and in TLS,
whose certificate is verified against it), so a name that resolves to a public address for the
check and to a private one for the connection (DNS rebinding) gets nowhere.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx

MAX_URL_LENGTH = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_IN_LOW_32_BITS = tuple(ipaddress.ip_network(n) for n in (
    "::/96",  # IPv4-compatible (deprecated, RFC 4291)
    "::ffff:0:0:0/96",  # IPv4-translated (SIIT, RFC 2765)
    "64:ff9b::/96",  # NAT64 well-known prefix (RFC 6052)
))
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


class TargetRefused(Exception):
    """The URL may not receive webhooks; the message says why (safe to show to an admin)."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one leads to, if it embeds one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in _IN_LOW_32_BITS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a public unicast address (see the module for what is not)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return False
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public(embedded):
            return False
        if embedded is None and address.is_reserved:  # unassigned space (``is_global`` does not say)
            return False
    return address.is_global and not address.is_multicast


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_localhost(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def check_url_form(url: str) -> str:
    """``url`` if it is an absolute http(s) URL a webhook can be posted to; ``ValueError`` otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
    if any(ord(ch) <= 32 or ord(ch) == 127 for ch in url):
        raise ValueError("must not contain spaces or control characters")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ValueError(f"is not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise ValueError("must be an http:// or https:// URL")
    if not parsed.host:
        raise ValueError("must name a host, e.g. https://receiver.example.org/hooks")
    if parsed.userinfo:
        raise ValueError("must not carry a user name or password: the signature authenticates Continuum")
    if parsed.fragment:
        raise ValueError("must not have a #fragment")
    return url


def check_registered_host(url: str, *, allow_private: bool) -> None:
    """Refuse, at registration, a URL whose host is a literal address that is not public, or
    ``localhost`` (names are resolved and checked at every delivery instead)."""
    if allow_private:
        return
    host = httpx.URL(url).host
    address = _literal(host)
    if address is not None and not is_public(address):
        raise TargetRefused(
            f"{host} is not a public address (private, loopback, link-local, reserved or multicast); "
            "set CONTINUUM_WEBHOOK_ALLOW_PRIVATE=true to allow such targets"
        )
    if _is_localhost(host):
        raise TargetRefused(f"{host} is this machine; set CONTINUUM_WEBHOOK_ALLOW_PRIVATE=true to allow it")


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the URL to request (its host replaced by the checked address), and
    the host the receiver is known by (Host header, TLS server name)."""

    request_url: httpx.URL
    host_header: str
    server_name: str
    address: str


def resolve(url: str, *, allow_private: bool) -> Target:
    """Resolve ``url``'s host now and check every address; ``TargetRefused`` if one is refused or none."""
    parsed = httpx.URL(url)
    server_name = parsed.raw_host.decode("ascii")
    literal = _literal(parsed.host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            found = socket.getaddrinfo(server_name, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise TargetRefused(f"cannot resolve {parsed.host}: {exc}") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found))
        if not addresses:
            raise TargetRefused(f"{parsed.host} resolves to no address")
    if not allow_private:
        refused = [str(a) for a in addresses if not is_public(a)]
        if refused:
            raise TargetRefused(
                f"{parsed.host} resolves to {', '.join(refused)}, not a public address; "
                "set CONTINUUM_WEBHOOK_ALLOW_PRIVATE=true to allow such targets"
            )
    address = str(addresses[0])
    return Target(
        request_url=parsed.copy_with(host=address),
        host_header=parsed.netloc.decode("ascii"),
        server_name=server_name,
        address=address,
    )
