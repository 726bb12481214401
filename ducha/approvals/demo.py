"""The demo city's administrative approval: a catalogue, then applications in every state."""

from __future__ import annotations


def build_demo_approvals() -> None:
    from ducha.approvals.demo_applications import build_demo_applications
    from ducha.approvals.demo_catalogue import build_demo_catalogue

    build_demo_catalogue()
    build_demo_applications()  # makes nothing once there are applications
