"""AWS's predefined security policies for HTTPS listeners (DescribeSSLPolicies, and the
names CreateListener accepts). ecsd does not terminate TLS yet (a later issue); the
policies are what AWS lists, so Terraform and the CLI read the same names back.
Cipher lists as AWS's "Security policies for your Application Load Balancer" gives them.
"""

from __future__ import annotations

from typing import Any

DEFAULT = "ELBSecurityPolicy-2016-08"

_TLS13 = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
_GCM = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
]
_ECDHE_SHA2 = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
]
_RSA_SHA2 = ["AES128-GCM-SHA256", "AES128-SHA256", "AES256-GCM-SHA384", "AES256-SHA256"]
_CLASSIC = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA",
    "ECDHE-ECDSA-AES256-SHA",
    "AES128-GCM-SHA256",
    "AES128-SHA256",
    "AES128-SHA",
    "AES256-GCM-SHA384",
    "AES256-SHA256",
    "AES256-SHA",
]
_FS = [c for c in _CLASSIC if c.startswith("ECDHE")]

_V10 = ["TLSv1", "TLSv1.1", "TLSv1.2"]
_V11 = ["TLSv1.1", "TLSv1.2"]
_V12 = ["TLSv1.2"]

# name -> (protocols, ciphers)
POLICIES: dict[str, tuple[list[str], list[str]]] = {
    "ELBSecurityPolicy-TLS13-1-2-2021-06": (_V12 + ["TLSv1.3"], _TLS13 + _ECDHE_SHA2),
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": (_V12 + ["TLSv1.3"], _TLS13 + _GCM),
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": (
        _V12 + ["TLSv1.3"],
        _TLS13 + _ECDHE_SHA2 + _RSA_SHA2,
    ),
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": (_V12 + ["TLSv1.3"], _TLS13 + _CLASSIC),
    "ELBSecurityPolicy-TLS13-1-1-2021-06": (_V11 + ["TLSv1.3"], _TLS13 + _CLASSIC),
    "ELBSecurityPolicy-TLS13-1-0-2021-06": (_V10 + ["TLSv1.3"], _TLS13 + _CLASSIC),
    "ELBSecurityPolicy-TLS13-1-3-2021-06": (["TLSv1.3"], _TLS13),
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": (_V12, _CLASSIC),
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": (_V12, _GCM),
    "ELBSecurityPolicy-FS-1-2-Res-2019-08": (_V12, _ECDHE_SHA2),
    "ELBSecurityPolicy-FS-1-2-2019-08": (_V12, _FS),
    "ELBSecurityPolicy-FS-1-1-2019-08": (_V11, _FS),
    "ELBSecurityPolicy-FS-2018-06": (_V10, _FS),
    "ELBSecurityPolicy-TLS-1-2-2017-01": (_V12, _ECDHE_SHA2 + _RSA_SHA2),
    "ELBSecurityPolicy-TLS-1-1-2017-01": (_V11, _CLASSIC),
    "ELBSecurityPolicy-2016-08": (_V10, _CLASSIC),
    "ELBSecurityPolicy-TLS-1-0-2015-04": (_V10, _CLASSIC + ["DES-CBC3-SHA"]),
    "ELBSecurityPolicy-2015-05": (_V10, _CLASSIC),
}


def describe(name: str) -> dict[str, Any]:
    protocols, ciphers = POLICIES[name]
    return {
        "SslProtocols": protocols,
        "Ciphers": [{"Name": c, "Priority": i + 1} for i, c in enumerate(ciphers)],
        "Name": name,
        "SupportedLoadBalancerTypes": ["application", "network"],
    }
