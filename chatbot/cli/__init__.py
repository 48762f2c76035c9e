"""The ``uplifted`` command line: small typer sub-apps, one module each."""
