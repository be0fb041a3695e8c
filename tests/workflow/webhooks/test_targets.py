"""The SSRF check: which addresses may receive webhooks, the URL's form, and the pinned target."""

from __future__ import annotations

import ipaddress

import pytest

from workflow.webhooks import TargetRefused, check_registered_host, check_url_form, is_public, resolve


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "255.255.255.255", "224.0.0.1", "239.1.2.3", "192.0.2.10", "198.18.0.1", "240.0.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1", "2002:a00:1::1", "64:ff9b::7f00:1", "64:ff9b::a00:1",
])
def test_private_loopback_link_local_reserved_and_multicast_addresses_are_refused(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808"])
def test_public_unicast_addresses_are_allowed(address):
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [
    "::127.0.0.1", "::10.0.0.1", "::169.254.169.254",  # IPv4-compatible (::/96)
    "::ffff:0:7f00:1", "::ffff:0:a00:1", "::ffff:0:a9fe:a9fe",  # IPv4-translated, SIIT (::ffff:0:0:0/96)
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, its client 127.0.0.1
])
def test_ipv6_forms_that_embed_a_refused_ipv4_address_are_refused(address):
    assert not is_public(ipaddress.ip_address(address))


def test_unassigned_ipv6_space_is_refused():
    assert not is_public(ipaddress.ip_address("::1:2:3:4:5"))  # in ::/8, embedding nothing
    assert not is_public(ipaddress.ip_address("4000::1"))


@pytest.mark.parametrize("address", ["::8.8.8.8", "::ffff:0:808:808"])
def test_ipv6_forms_that_embed_a_public_ipv4_address_are_judged_by_it(address):
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["64:ff9b:1::7f00:1", "64:ff9b:1::808:808", "64:ff9b:1:7f00:1::",
                                     "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"])
def test_local_use_nat64_addresses_are_refused_whatever_they_embed(address):
    """RFC 8215: where the IPv4 address sits depends on the prefix length the operator chose."""
    assert not is_public(ipaddress.ip_address(address))


def test_registration_refuses_an_ipv4_compatible_loopback_literal():
    with pytest.raises(TargetRefused, match="not a public address"):
        check_registered_host("http://[::127.0.0.1]:9000/hooks", allow_private=False)


@pytest.mark.parametrize(("url", "says"), [
    ("ftp://example.org/hooks", "http:// or https://"),
    ("example.org/hooks", "http:// or https://"),
    ("https:///hooks", "host"),
    ("https://user:pw@example.org/hooks", "user name or password"),
    ("https://example.org/hooks#part", "fragment"),
    ("https://example.org/ho oks", "spaces"),
    ("https://example.org/" + "a" * 2000, "at most 2000"),
    ("https://exa mple.org/", "spaces"),
])
def test_a_url_that_cannot_receive_webhooks_is_refused_saying_why(url, says):
    with pytest.raises(ValueError, match=says):
        check_url_form(url)


def test_an_ordinary_https_url_passes():
    assert check_url_form("https://example.org:8443/hooks?source=continuum") == (
        "https://example.org:8443/hooks?source=continuum"
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/", "http://[::1]/", "http://10.0.0.7/hooks",
                                 "http://169.254.169.254/latest/meta-data", "http://localhost:9000/",
                                 "http://api.localhost/", "http://[::ffff:192.168.0.1]/"])
def test_registration_refuses_literal_private_addresses_and_localhost_unless_allowed(url):
    with pytest.raises(TargetRefused, match="CONTINUUM_WEBHOOK_ALLOW_PRIVATE"):
        check_registered_host(url, allow_private=False)
    check_registered_host(url, allow_private=True)


def test_registration_does_not_resolve_names():
    check_registered_host("https://receiver.invalid/hooks", allow_private=False)  # checked at delivery


def test_delivery_resolves_the_name_and_refuses_a_private_address():
    with pytest.raises(TargetRefused, match=r"localhost resolves to .*127\.0\.0\.1.*not a public address"):
        resolve("http://localhost:9/hooks", allow_private=False)


def test_delivery_refuses_a_name_that_does_not_resolve():
    with pytest.raises(TargetRefused, match="cannot resolve receiver.invalid"):
        resolve("https://receiver.invalid/hooks", allow_private=True)


def test_the_request_goes_to_the_address_checked_and_names_the_host_it_was_given():
    target = resolve("http://localhost:8123/hooks?x=1", allow_private=True)
    assert target.address in ("127.0.0.1", "::1")
    assert target.request_url.host == target.address and target.request_url.port == 8123
    assert target.request_url.path == "/hooks" and target.request_url.query == b"x=1"
    assert (target.host_header, target.server_name) == ("localhost:8123", "localhost")


def test_a_literal_public_address_is_used_as_it_is():
    target = resolve("https://[2606:4700::1111]/hooks", allow_private=False)
    assert str(target.request_url) == "https://[2606:4700::1111]/hooks"
