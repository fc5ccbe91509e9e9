"""The local stack: fetch, build and run Keycloak and the small services wuye-sso needs in dev and tests.

Nothing here is used in production; ``docker-compose.yml`` describes that path.
"""
