"""The ``wuye-sso`` command: one entry point whose sub-commands live with their packages."""
