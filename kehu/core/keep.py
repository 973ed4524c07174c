"""A default for optional service arguments where None means "clear it": KEEP leaves the value as it is."""

from enum import Enum


class Keep(Enum):
    KEEP = "keep"


KEEP = Keep.KEEP
