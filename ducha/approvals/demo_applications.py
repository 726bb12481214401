"""The demo applications."""


def build_demo_applications() -> None:
    pass
