"""Moved to ``sso.phone`` (the help desk needs it too, and ``sso`` must not import ``provisioning``)."""

from sso.phone import normalise_mobile

__all__ = ["normalise_mobile"]
