"""The IT help desk (``/accounts``): find a person, explain what is wrong, unlock / sign out / reset 2FA, daily lists.

Framework-free parts live here (settings, the Keycloak gateway, lookup, the person report, lists, the
timeline, actions); the Starlette routes are ``sso.workbench.routes.accounts``.
"""
