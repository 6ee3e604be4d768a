// Building the page from API data: text is only ever set with textContent.
export function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// One <p> per paragraph (paragraphs are separated by a blank line).
export function paragraphs(container, text) {
  for (const paragraph of String(text || "").split(/\n\s*\n/)) {
    if (paragraph.trim()) container.append(element("p", paragraph.trim()));
  }
}
