"""Reminder letters (提醒函): S1.4 lead unit → slow co-unit, S1.5 requesting unit → general office."""
