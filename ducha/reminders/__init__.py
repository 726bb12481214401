"""Reminders and escalation that are never lost and never sent twice (S5.1, S1.4).

rules    ducha.rules.escalation: the ladder, inaction, behind-schedule and slow co-units (pure)
engine   the scan: due matters -> reminders, inbox rows, outbox rows, escalation records
outbox   delivery to e-mail, SMS and group robots: retries, rate limits, dead letters
loop     one pass / the loop, run by `ducha worker` and in-process by `ducha serve`
tasks    one-off jobs through the Django Tasks API (rescheduling after a calendar import)
"""
