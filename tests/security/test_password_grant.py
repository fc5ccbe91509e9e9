"""Issue 11.2: the password grant (direct access) is a way in that skips the second factor; no client takes it."""

from __future__ import annotations

import httpx

from tests.extension.conftest import PASSWORD, SmsRealm


def test_the_password_grant_is_refused_by_every_client_of_a_tenant_realm(sms_realm: SmsRealm) -> None:
    sms_realm.add_user("wy5401", phone="+8613900005401")
    admin = sms_realm.realm.admin()
    clients = admin.get_clients()
    built_in = {"admin-cli", "account", "account-console", "broker", "realm-management", "security-admin-console"}
    assert built_in <= {c["clientId"] for c in clients}, "the realm has Keycloak's built-in clients"
    token_url = f"{sms_realm.realm.issuer}/protocol/openid-connect/token"
    answered: dict[str, tuple[int, str]] = {}
    with httpx.Client(timeout=30) as http:
        for client in clients:
            form = {
                "grant_type": "password",
                "client_id": client["clientId"],
                "username": "wy5401",
                "password": PASSWORD,
                "scope": "openid",
            }
            if not client.get("publicClient") and not client.get("bearerOnly"):
                secret = admin.get_client_secrets(client["id"]).get("value")
                if secret:
                    form["client_secret"] = secret
            response = http.post(token_url, data=form)
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
            answered[client["clientId"]] = (response.status_code, str(body.get("error", "")))
            assert "access_token" not in body, f"{client['clientId']} gave a token for the password alone"
    assert all(status in (400, 401) for status, _ in answered.values()), answered
