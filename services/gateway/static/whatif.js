// What if, in the reader: the story's branch tree (each branch under the run it was
// forked from, linked as #story-<id>), a comparison with the parent's story through the
// diff route, and what one character knew at the end of a turn.
import { api } from "./api.js";
import { element, paragraphs } from "./dom.js";

const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

export function storyHash(storyId) {
  return `#story-${enc(storyId)}`;
}

// The story id a `#story-<id>` address names, or null.
export function storyInHash(hash) {
  const found = /^#story-(.+)$/.exec(hash || "");
  return found ? decodeURIComponent(found[1]) : null;
}

function describe(run, parent) {
  if (!parent) return "the first run";
  let text = `forked after turn ${run.fork_turn}`;
  if (run.seed !== parent.seed) text += `, seed ${run.seed}`;
  const steered = (run.interventions || []).length;
  if (steered) text += `, ${steered} intervention${steered === 1 ? "" : "s"}`;
  return text;
}

// Nested lists: the root, then each branch under its parent; the open story is marked.
export function branchTree(items, currentId, titles) {
  const byId = new Map(items.map((run) => [run.id, run]));
  const children = new Map();
  for (const run of items) {
    if (!run.parent_id) continue;
    if (!children.has(run.parent_id)) children.set(run.parent_id, []);
    children.get(run.parent_id).push(run);
  }
  const node = (run) => {
    const item = element("li");
    const name = run.story_id ? titles.get(run.story_id) || "Untitled" : "not written yet";
    if (run.id === currentId) {
      item.setAttribute("aria-current", "true");
      item.append(element("strong", `${name} (this story)`));
    } else if (run.story_id) {
      const link = element("a", name);
      link.href = storyHash(run.story_id);
      item.append(link);
    } else {
      item.append(element("span", name));
    }
    item.append(element("span", ` — ${describe(run, byId.get(run.parent_id))}`, "meta"));
    const kids = children.get(run.id) || [];
    if (kids.length) {
      const list = element("ul");
      for (const kid of kids) list.append(node(kid));
      item.append(list);
    }
    return item;
  };
  const list = element("ul", undefined, "tree");
  list.append(node(items.find((run) => !run.parent_id) || items[0]));
  return list;
}

// Shows the tree when the story's run has a parent or branches; returns the parent's
// story id (null for a first run, or a parent not written yet).
export async function showBranches(story, titlesOf) {
  const section = $("branches");
  $("diff").hidden = true;
  $("compare-parent").hidden = true; // until this story's parent is known
  const tree = await api(`/v1/simulations/${enc(story.simulation_id)}/branches`);
  const items = tree.items;
  const current = items.find((run) => run.id === story.simulation_id);
  if (items.length < 2) {
    section.hidden = true;
    return null;
  }
  const titles = await titlesOf(items.map((run) => run.story_id).filter(Boolean));
  const parent = current && items.find((run) => run.id === current.parent_id);
  const where = $("branch-parent");
  where.replaceChildren();
  if (parent && parent.story_id) {
    const link = element("a", titles.get(parent.story_id) || "Untitled");
    link.href = storyHash(parent.story_id);
    where.append("Forked from ", link, ` after turn ${current.fork_turn}.`);
  } else {
    where.append("The first run; its branches are below.");
  }
  $("branch-tree").replaceChildren(branchTree(items, story.simulation_id, titles));
  $("compare-parent").hidden = !(parent && parent.story_id);
  section.hidden = false; // shown once filled in
  return parent && parent.story_id ? parent.story_id : null;
}

function side(chapter, label, number) {
  const column = element("div", undefined, "diff-side");
  const title = chapter ? `${label}, chapter ${number}: ${chapter.title}` : `${label}: no chapter ${number}`;
  column.append(element("h5", title));
  if (chapter) paragraphs(column, chapter.text);
  return column;
}

// Where the branch parts from its parent, then the chapters from there side by side.
export async function showDiff(parentStoryId, storyId) {
  const d = await api(`/v1/stories/${enc(parentStoryId)}/diff/${enc(storyId)}`);
  const box = $("diff");
  const chapters = $("diff-chapters");
  chapters.replaceChildren();
  box.hidden = false;
  if (d.first_differing_turn === null) {
    $("diff-summary").textContent = "No chapter differs: this branch tells its parent's story again.";
  } else {
    $("diff-summary").textContent = `They part at turn ${d.first_differing_turn}: the parent's chapters on the left, this branch's on the right.`;
  }
  for (const pair of d.chapters) {
    const row = element("div", undefined, "diff-row");
    row.append(side(pair.a, "Parent", pair.number), side(pair.b, "This branch", pair.number));
    chapters.append(row);
  }
  $("diff-title").focus();
}

// The cast to ask about, and the turns there are (the last one by default).
export function setupKnowledge(story) {
  const select = $("k-character");
  select.replaceChildren();
  for (const person of story.participants) {
    const option = element("option", person.name);
    option.value = person.id;
    select.append(option);
  }
  const turn = $("k-turn");
  turn.max = String(story.chapters.length);
  turn.value = String(story.chapters.length);
  $("knowledge-result").replaceChildren();
}

function sources(item) {
  return item.sources
    .map((s) => `${s.event_id} ${s.how === "told" && s.by_name ? `told by ${s.by_name}` : s.how}`)
    .join("; ");
}

export async function showKnowledge(simulationId, characterId, turn) {
  const path = `/v1/simulations/${enc(simulationId)}/characters/${enc(characterId)}/knowledge`;
  const k = await api(`${path}?${new URLSearchParams({ turn: String(turn) })}`);
  const result = $("knowledge-result");
  result.replaceChildren();
  for (const [label, key] of [["Facts", "facts"], ["Beliefs", "beliefs"], ["Memories", "memories"]]) {
    result.append(element("h5", label));
    const list = element("ul", undefined, "known");
    if (k[key].length === 0) list.append(element("li", "Nothing yet."));
    for (const item of k[key]) {
      const entry = element("li", item.text);
      entry.append(element("span", ` (events ${sources(item)})`, "meta"));
      list.append(entry);
    }
    result.append(list);
  }
}
