"""Helpers shared by the test suites (real Keycloak only; no mocks of it)."""
