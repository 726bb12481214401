"""Plain-Python business rules of ducha: no Django, no clock, fully typed."""
