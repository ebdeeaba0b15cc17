"""Command-line interface (typer + rich): thin shells over the library, no algorithms here."""
