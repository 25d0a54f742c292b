"""`newstag train | evaluate | tag` commands."""


def train_command() -> None:
    """Train a tagger (not yet implemented)."""
    raise SystemExit("newstag train is not implemented yet")


def evaluate_command() -> None:
    """Evaluate a tagger (not yet implemented)."""
    raise SystemExit("newstag evaluate is not implemented yet")


def tag_command() -> None:
    """Tag articles (not yet implemented)."""
    raise SystemExit("newstag tag is not implemented yet")
