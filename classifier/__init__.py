"""newstag.classifier: estimators, training, evaluation, persistence and the Tagger."""

__all__: list[str] = []
