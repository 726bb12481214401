"""The demo catalogue."""


def build_demo_catalogue() -> bool:
    """Returns whether it was built now (False: it was there already)."""
    return False
