"""A story as Markdown, one self-contained HTML page, or an EPUB 3 book."""

from __future__ import annotations

import html
import io

from ebooklib import epub

from novel_engine.v1 import story_pb2

STYLE = (
    "body{font-family:Georgia,serif;max-width:40em;margin:2em auto;padding:0 1em;"
    "line-height:1.6;color:#222}h1{font-size:1.9em}h2{margin-top:2em}"
)


def sections(story: story_pb2.Story) -> list[tuple[str, str]]:
    """(heading, text) in reading order: the opening (untitled), chapters, epilogue."""
    parts = [("", story.opening)] if story.opening else []
    parts += [(c.title, c.text) for c in story.chapters]
    if story.closing:
        parts.append(("Epilogue", story.closing))
    return parts


def markdown(story: story_pb2.Story) -> str:
    parts = [f"# {story.title}"]
    for heading, text in sections(story):
        parts += [f"## {heading}", text] if heading else [text]
    return "\n\n".join(p for p in parts if p) + "\n"


def _paragraphs(text: str) -> str:
    return "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def html_page(story: story_pb2.Story) -> str:
    """One page with its style inline: no script, font or image to fetch."""
    title = html.escape(story.title or story.id)
    body = [f"<h1>{title}</h1>"]
    for heading, text in sections(story):
        if heading:
            body.append(f"<h2>{html.escape(heading)}</h2>")
        body.append(_paragraphs(text))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def epub_book(story: story_pb2.Story) -> bytes:
    """An EPUB 3 book (with an EPUB 2 NCX for older readers): one XHTML file per part."""
    book = epub.EpubBook()
    book.set_identifier(f"urn:novel-engine:story:{story.id}")
    book.set_title(story.title or story.id)
    book.set_language("en")
    book.add_author("Novel Engine")
    chapters = []
    for number, (heading, text) in enumerate(sections(story), start=1):
        title = heading or "Opening"
        page = epub.EpubHtml(title=title, file_name=f"part-{number:03d}.xhtml", lang="en")
        page.content = f"<h2>{html.escape(title)}</h2>\n{_paragraphs(text)}"
        book.add_item(page)
        chapters.append(page)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    buffer = io.BytesIO()
    epub.write_epub(buffer, book)
    return buffer.getvalue()
