"""Site groups (/sites/<code>, attribute name_zh): created or renamed before any account joins them."""

from __future__ import annotations

from provisioning.actual import MissingGroup
from provisioning.apply_context import Step
from provisioning.keycloak_gateway import GatewayError
from provisioning.plan import ChangeKind, Plan
from sso import catalog


class SiteApplier(Step):
    def apply(self, plan: Plan) -> None:
        if not plan.sites:
            return
        parent = self.gateway.group_by_path(f"/{catalog.SITES_GROUP}")
        if parent is None:
            raise MissingGroup(self.gateway.realm, catalog.SITES_GROUP)  # deleted since the realm was read
        for change in plan.sites:
            path = catalog.site_group_path(change.target)
            attributes = {"name_zh": [str(change.after)]}
            account = f"site {change.target}"
            self.audit.intent(account, [change])
            try:
                if change.kind == ChangeKind.CREATE_SITE:
                    self.group_ids[path] = self.gateway.create_group(change.target, attributes, parent_id=parent["id"])
                elif change.kind == ChangeKind.UPDATE_SITE:
                    group = self.gateway.group(self.group_ids[path])
                    group["attributes"] = {**(group.get("attributes") or {}), **attributes}
                    self.gateway.update_group(self.group_ids[path], group)
            except GatewayError as exc:
                self._fail(account, change.kind, exc, [change])
                continue
            self.report.count(change.kind)
            self.audit.done(account, [change])
