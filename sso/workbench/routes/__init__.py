"""The workbench's routes, one module per area: ``auth`` (sign-in, sign-out, back-channel logout), ``pages``."""
