"""Work orders (工单) kept in process memory, per tenant: enough for a sample downstream service.

Each tenant (realm) has its own numbering and its own orders; nothing crosses tenants, because a
token from one realm must never reveal another company's orders. Thread-safe (one lock).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

Status = Literal["open", "handled"]
STATUSES: tuple[Status, ...] = ("open", "handled")

#: Shown as-is by the workbench: Chinese first, English second.
STATUS_LABELS: dict[str, str] = {
    "open": "待处理 Open",
    "handled": "已处理 Handled",
}


@dataclass(frozen=True)
class Person:
    """Who reported or handled an order, as the token named them."""

    employee_no: str
    name: str

    def as_json(self) -> dict[str, str]:
        return {"employee_no": self.employee_no, "name": self.name}


@dataclass(frozen=True)
class WorkOrder:
    id: str
    tenant: str
    site: str
    title: str
    description: str
    location: str
    status: Status
    created_at: datetime
    reported_by: Person
    handled_at: datetime | None = None
    handled_by: Person | None = None
    resolution: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The wire shape (``WorkOrder`` in the OpenAPI description)."""
        return {
            "id": self.id,
            "site": self.site,
            "title": self.title,
            "description": self.description,
            "location": self.location,
            "status": self.status,
            "status_label": STATUS_LABELS[self.status],
            "created_at": _iso(self.created_at),
            "reported_by": self.reported_by.as_json(),
            "handled_at": _iso(self.handled_at) if self.handled_at else None,
            "handled_by": self.handled_by.as_json() if self.handled_by else None,
            "resolution": self.resolution,
        }


class AlreadyHandled(Exception):
    """The order was closed before; handling it twice is a conflict."""


class WorkOrderStore:
    """Orders by tenant, newest first; ``list``/``get`` filter by the sites a caller may see."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[str, dict[str, WorkOrder]] = {}
        self._next: dict[str, int] = {}

    def create(
        self, tenant: str, site: str, title: str, reported_by: Person, description: str = "", location: str = ""
    ) -> WorkOrder:
        with self._lock:
            number = self._next.get(tenant, 1)
            self._next[tenant] = number + 1
            order = WorkOrder(
                id=f"WO-{number:06d}", tenant=tenant, site=site, title=title, description=description,
                location=location, status="open", created_at=datetime.now(UTC), reported_by=reported_by,
            )  # fmt: skip
            self._orders.setdefault(tenant, {})[order.id] = order
            return order

    def list(self, tenant: str, sites: frozenset[str] | None, status: Status | None = None) -> list[WorkOrder]:
        """Orders of ``tenant`` at ``sites`` (``None``: every site), newest first."""
        with self._lock:
            orders = list(self._orders.get(tenant, {}).values())
        visible = [o for o in orders if (sites is None or o.site in sites) and (status is None or o.status == status)]
        return sorted(visible, key=lambda o: o.id, reverse=True)

    def get(self, tenant: str, order_id: str, sites: frozenset[str] | None) -> WorkOrder | None:
        with self._lock:
            order = self._orders.get(tenant, {}).get(order_id)
        if order is None or (sites is not None and order.site not in sites):
            return None
        return order

    def handle(self, tenant: str, order_id: str, handled_by: Person, resolution: str) -> WorkOrder:
        with self._lock:
            order = self._orders[tenant][order_id]
            if order.status == "handled":
                raise AlreadyHandled(order_id)
            handled = replace(
                order, status="handled", handled_at=datetime.now(UTC), handled_by=handled_by, resolution=resolution
            )
            self._orders[tenant][order_id] = handled
            return handled


def seed_demo(store: WorkOrderStore, tenant: str, sites: list[str]) -> None:
    """A few open orders per site so a fresh workbench has something to show (``serve --demo``)."""
    desk = Person("DEMO", "演示数据 Demo")
    samples = [
        ("电梯异响 Lift makes a noise", "3栋1单元 Block 3, unit 1"),
        ("地下车库照明故障 Car-park lights out", "B1 车库 B1 car park"),
        ("楼道漏水 Water leak in stairwell", "5栋 Block 5"),
    ]
    for site in sites:
        for title, location in samples:
            store.create(tenant, site, title, desk, location=location)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
