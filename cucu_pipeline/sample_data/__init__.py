"""Bundled sample data: a deterministic generator (`generator`) and the command that writes the exports."""
