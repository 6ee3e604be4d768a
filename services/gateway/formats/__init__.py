"""What the gateway reads and writes in other formats: uploads unpacked within bounds
(zip folders, PNG cards), stories as Markdown, HTML and EPUB, characters as cards, and
the versioned run bundle."""
