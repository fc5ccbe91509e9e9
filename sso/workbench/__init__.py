"""物业工作台 The staff workbench: a Starlette OIDC relying party of the ``staff-workbench`` client.

``create_app(settings)`` in ``app.py``; ``wuye-sso workbench`` serves it (``serve.py``).
"""
