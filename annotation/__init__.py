"""newstag.annotation: Label Studio config, tasks, export import, consolidation and agreement."""

__all__: list[str] = []
