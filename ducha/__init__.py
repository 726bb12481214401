"""ducha (督查): a city government's efficiency system, end to end."""

__version__ = "0.1.0"
