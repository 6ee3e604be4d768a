"""Foreign character formats mapped onto the character sheet. Pure: no I/O.

`import_files` takes an upload's files and returns one `ImportResult` per character:
what was mapped, what was kept as notes, what was refused and why. Every character it
returns has passed the model's own `validate`.
"""

from services.character.domain.importing.draft import ImportResult
from services.character.domain.importing.sources import import_files

__all__ = ["ImportResult", "import_files"]
