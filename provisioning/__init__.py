"""Provisioning: the HR roster becomes Keycloak accounts, roles and groups, with plan and apply."""
