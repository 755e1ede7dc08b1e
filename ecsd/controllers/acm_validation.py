"""ACM's DNS validation, done when the records are written: a requested certificate is
issued as soon as its validation CNAMEs exist in a hosted zone here, so a listener or a
waiter sees ISSUED without anyone describing the certificate first.

ACM re-checks DNS periodically; here the only way a validation record appears is a Route
53 change batch, which records `DnsRecordsChanged` (core/bus.py) and wakes this
controller. The pass after a start covers what a change before a restart left pending.
Each pass is one write unit of work per region with pending certificates
(model/acm/certificates.issue_validated); a read still issues too (`refresh`).
"""

from __future__ import annotations

import asyncio
import logging

from ..core.bus import Bus, DnsRecordsChanged
from ..core.unit import Units
from ..model.acm import certificates
from .background import Background

log = logging.getLogger(__name__)


class AcmValidationController(Background):
    name = "acm validation"

    def __init__(self, units: Units) -> None:
        self.units = units
        self._wake = asyncio.Event()
        self.issued = 0  # certificates this controller issued (for tests and logs)

    def subscribe(self, bus: Bus) -> None:
        bus.subscribe(DnsRecordsChanged, self._changed)

    def _changed(self, _event: DnsRecordsChanged) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_pass()
            except Exception:
                log.exception("ACM validation pass failed")
            await self._wake.wait()

    async def run_pass(self) -> int:
        """Issue what is validated now, in every region; how many were issued."""
        region = self.units.settings.region
        regions = await self.units.run(certificates.pending_regions, region=region, write=False)
        issued = 0
        for r in regions:
            issued += await self.units.run(certificates.issue_validated, region=r)
        self.issued += issued
        return issued
