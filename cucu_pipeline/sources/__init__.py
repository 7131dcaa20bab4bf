"""Plain Python for the source assets: document models and their field kinds, export parsing, phone numbers."""
