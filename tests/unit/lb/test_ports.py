"""lb/ports.py: the documented, deterministic fallback for ports a user cannot bind."""

from __future__ import annotations

from ecsd.lb.ports import bind_port_for, unprivileged_port_start


def test_root_binds_the_port_itself():
    assert bind_port_for(80, euid=0, start=1024) == 80


def test_a_normal_user_below_the_unprivileged_start_gets_port_plus_8000():
    assert bind_port_for(80, euid=1000, start=1024) == 8080
    assert bind_port_for(443, euid=1000, start=1024) == 8443


def test_a_normal_user_binds_where_the_kernel_allows():
    assert bind_port_for(80, euid=1000, start=0) == 80
    assert bind_port_for(80, euid=1000, start=80) == 80
    assert bind_port_for(3000, euid=1000, start=1024) == 3000


def test_the_kernel_setting_is_read():
    assert 0 <= unprivileged_port_start() <= 65536
