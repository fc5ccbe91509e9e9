"""Downstream systems declared as code: one confidential OIDC client each, with only the claims it needs.

``declaration`` reads and checks the file, ``client`` turns a system into Keycloak's client representation,
``apply`` creates or corrects the client through the admin API, ``cli`` is ``wuye-sso downstream``.
"""
