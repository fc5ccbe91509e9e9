"""The work-order API, called with the signed-in user's own access token (token relay).

One small module so the chain browser → workbench → API has one place to change. Any failure
(unreachable, refused, malformed) becomes ``WorkordersUnavailable``: the page says 服务暂不可用.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)


class WorkordersUnavailable(Exception):
    """The work-order API did not give a list; the reason is logged, never the token."""


@dataclass(frozen=True)
class WorkOrder:
    id: str
    title: str
    site: str
    status: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkOrder:
        return cls(
            id=str(data.get("id", "")),
            title=str(data.get("title", "")),
            site=str(data.get("site_name") or data.get("site", "")),
            status=str(data.get("status_label") or data.get("status", "")),
        )


class WorkorderClient:
    def __init__(self, base_url: str, http: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = http

    async def list(self, access_token: str) -> list[WorkOrder]:
        url = f"{self.base_url}/api/workorders"
        try:
            response = await self._http.get(
                url, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
            )
        except httpx.HTTPError as exc:
            log.warning("work-order API %s unreachable: %s", url, type(exc).__name__)
            raise WorkordersUnavailable(f"{url} unreachable") from exc
        if response.status_code != 200:
            log.warning("work-order API %s answered HTTP %d", url, response.status_code)
            raise WorkordersUnavailable(f"{url} answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise WorkordersUnavailable(f"{url} did not answer JSON") from exc
        items = body.get("workorders", body.get("items")) if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise WorkordersUnavailable(f"{url} answered no list of work orders")
        return [WorkOrder.from_json(item) for item in items if isinstance(item, dict)]
