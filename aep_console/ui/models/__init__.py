"""Qt item models and Qt-free helpers for the pages."""
