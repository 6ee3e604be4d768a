// The story page: characters, a simulation followed live, and the written stories.
// Everything goes through the public /v1 API with the reader's key; text from the API
// is only ever set with textContent, never parsed as HTML.
import { ApiError, allPages, api, forgetKey, keyRemembered, storeKey, storedKey } from "./api.js";
import { element, paragraphs } from "./dom.js";
import { followSimulation } from "./stream.js";
import { setupKnowledge, showBranches, showDiff, showKnowledge, storyHash, storyInHash } from "./whatif.js";

const $ = (id) => document.getElementById(id);
let running = null; // {id, total, controller, started, startedTurns}
let currentStory = null;
let parentStoryId = null; // the story the open one was forked from
const titles = new Map(); // story id -> title, from the story list

function showMessage(text, ok = false) {
  const box = $("message");
  box.textContent = text;
  box.classList.toggle("ok", ok);
  box.hidden = !text;
}

function announce(text) {
  $("announce").textContent = text;
}

function reportError(error) {
  if (error instanceof ApiError && error.status === 401) {
    showMessage(`The API key was refused (${error.message}). Enter a valid key.`);
    $("api-key").focus();
  } else if (error instanceof ApiError) {
    showMessage(`${error.status} ${error.code}: ${error.message}`);
  } else {
    showMessage(`Could not reach the server: ${error.message}`);
  }
}

// ---- the key ----------------------------------------------------------------

function keyChanged() {
  const hasKey = Boolean(storedKey());
  $("forget-key").hidden = !hasKey;
  $("remember-key").checked = keyRemembered();
  $("api-key").placeholder = hasKey ? "key saved (enter another to replace it)" : "ne_…";
  return hasKey;
}

async function useKey(event) {
  event.preventDefault();
  const key = $("api-key").value.trim();
  if (!key) return;
  storeKey(key, $("remember-key").checked);
  $("api-key").value = "";
  keyChanged();
  if (await loadAll()) showMessage("Key accepted.", true);
}

// ---- characters -------------------------------------------------------------

function renderCharacters(characters) {
  const list = $("character-list");
  const cast = $("cast");
  const chosen = new Set([...cast.querySelectorAll("input:checked")].map((box) => box.value));
  list.replaceChildren();
  cast.replaceChildren();
  if (characters.length === 0) list.append(element("li", "No characters yet: create one below."));
  for (const c of characters) {
    const card = element("li");
    card.append(element("span", c.name, "name"));
    const meta = [c.role, c.faction].filter(Boolean).join(" · ");
    if (meta) card.append(element("span", meta, "meta"));
    const traits = Object.entries(c.traits || {}).map(([k, v]) => `${k} ${v}`).join(", ");
    if (traits) card.append(element("p", traits, "meta"));
    list.append(card);

    const label = element("label", undefined, "check");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "character_ids";
    box.value = c.id;
    box.checked = chosen.has(c.id);
    label.append(box, ` ${c.name}`);
    cast.append(label);
  }
}

async function loadCharacters() {
  renderCharacters(await allPages("/v1/characters"));
}

export function parseTraits(text) {
  const traits = {};
  for (const part of text.split(",")) {
    if (!part.trim()) continue;
    const [name, value] = part.split(/[=:]/).map((s) => s.trim());
    const number = Number(value);
    if (!name || value === undefined || Number.isNaN(number)) {
      throw new Error(`Traits: "${part.trim()}" is not name=value`);
    }
    traits[name] = number;
  }
  return traits;
}

async function createCharacter(event) {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  try {
    const body = {
      name: data.get("name").trim(),
      role: data.get("role").trim(),
      faction: data.get("faction").trim(),
      backstory: data.get("backstory").trim(),
      traits: parseTraits(data.get("traits")),
    };
    const created = await api("/v1/characters", { method: "POST", body });
    form.reset();
    await loadCharacters();
    showMessage(`Created ${created.name} (${created.id}).`, true);
  } catch (error) {
    if (error instanceof ApiError || error instanceof TypeError) reportError(error);
    else showMessage(error.message);
  }
}

// ---- a simulation, followed live --------------------------------------------

// The highest turn an event shows as done (payloads may batch turns: read defensively).
export function turnsIn(event) {
  const data = event.data && typeof event.data === "object" ? event.data : {};
  const found = ["turn", "turns_done", "last_turn", "turns_executed"]
    .map((key) => data[key])
    .filter(Number.isInteger);
  if (Array.isArray(data.turns)) {
    for (const item of data.turns) {
      const n = item && typeof item === "object" ? item.turn : item;
      if (Number.isInteger(n)) found.push(n);
    }
  }
  const head = Number.parseInt((event.id || "").split(".")[0], 10);
  if (event.event === "turn" && Number.isInteger(head)) found.push(head);
  return found.length ? Math.max(...found) : null;
}

function showProgress(done) {
  const { total } = running;
  const bar = $("live-progress");
  bar.value = Math.min(done, total);
  let text = `${bar.value} of ${total} turns`;
  const now = performance.now();
  if (running.started === null && done > 0) {
    running.started = now;
    running.startedTurns = done;
  } else if (running.started !== null && done > running.startedTurns && done < total) {
    const perTurn = (now - running.started) / (done - running.startedTurns);
    text += ` · about ${Math.ceil((perTurn * (total - done)) / 1000)} s left`;
  }
  $("live-status").textContent = text;
}

function addLiveChapter(chapter) {
  const list = $("live-chapters");
  if (list.querySelector(`[data-number="${chapter.number}"]`)) return; // replayed
  const item = element("li");
  item.dataset.number = String(chapter.number);
  item.append(element("h4", chapter.title || `Chapter ${chapter.number}`));
  for (const paragraph of String(chapter.text).split(/\n\s*\n/)) {
    if (paragraph.trim()) item.append(element("p", paragraph.trim()));
  }
  list.append(item);
  announce(`Chapter ${chapter.number} written`);
}

function onSimulationEvent(event) {
  const done = turnsIn(event);
  if (done !== null) showProgress(done);
  const data = event.data && typeof event.data === "object" ? event.data : {};
  if (event.event === "chapter") {
    const chapter = data.chapter && typeof data.chapter === "object" ? data.chapter : data;
    if (typeof chapter.text === "string") addLiveChapter(chapter);
  } else if (event.event === "status") {
    if (data.status === "completed") showProgress(running.total);
    else $("live-status").textContent = `The simulation ${data.status}${data.error ? `: ${data.error}` : ""}.`;
    $("cancel-simulation").hidden = true;
  } else if (event.event === "story") {
    const storyId = data.story_id || data.id;
    $("live-title").textContent = "The story is written";
    $("live-status").textContent = `All ${running.total} turns done.`;
    announce("The story is written");
    if (storyId) openStory(storyId).then(loadStories).catch(reportError);
  }
}

async function startSimulation(event) {
  event.preventDefault();
  const data = new FormData(event.target);
  const ids = data.getAll("character_ids");
  if (ids.length < 2 || ids.length > 6) {
    showMessage("Choose between 2 and 6 characters for the cast.");
    $("cast").querySelector("input")?.focus();
    return;
  }
  const body = {
    character_ids: ids,
    turns: Number(data.get("turns")),
    setting: data.get("setting").trim(),
    scenario: data.get("scenario").trim(),
    narrative_style: data.get("narrative_style"),
  };
  try {
    const simulation = await api("/v1/simulations", { method: "POST", body });
    showMessage("");
    const names = [...$("cast").querySelectorAll("input:checked")].map((box) => box.parentElement.textContent.trim());
    await watch(simulation, names);
  } catch (error) {
    reportError(error);
  }
}

async function watch(simulation, names) {
  if (running) running.controller.abort();
  running = {
    id: simulation.id,
    total: simulation.turns_total,
    controller: new AbortController(),
    started: null,
    startedTurns: 0,
  };
  $("live").hidden = false;
  $("live-title").textContent = `Writing: ${names.join(", ")}`;
  $("live-progress").max = simulation.turns_total;
  $("live-chapters").replaceChildren();
  $("cancel-simulation").hidden = false;
  showProgress(simulation.turns_done);
  $("live-title").focus();
  const mine = running;
  await followSimulation(simulation.id, onSimulationEvent, {
    signal: mine.controller.signal,
    onRetry: () => {
      $("live-status").textContent = "Connection lost; resuming…";
    },
  });
}

async function cancelSimulation() {
  if (!running) return;
  try {
    const cancelled = await api(`/v1/simulations/${encodeURIComponent(running.id)}`, { method: "DELETE" });
    $("live-status").textContent = `Cancel requested (${cancelled.status}).`;
  } catch (error) {
    reportError(error);
  }
}

// ---- stories ----------------------------------------------------------------

async function loadStories() {
  const stories = await allPages("/v1/stories");
  for (const story of stories) titles.set(story.id, story.title || "Untitled");
  const list = $("story-list");
  list.replaceChildren();
  if (stories.length === 0) list.append(element("li", "No stories yet."));
  for (const story of stories) {
    const item = element("li");
    const open = element("button", story.title || story.id, "link");
    open.type = "button";
    open.addEventListener("click", () => openStory(story.id).catch(reportError));
    item.append(open, element("span", ` — ${story.status}, ${story.turns_total} turns`, "meta"));
    list.append(item);
  }
}

// Titles for these story ids (the list again when a branch is newer than it).
async function titlesOf(storyIds) {
  if (storyIds.some((id) => !titles.has(id))) await loadStories();
  return titles;
}

async function openStory(storyId) {
  const story = await api(`/v1/stories/${encodeURIComponent(storyId)}`);
  currentStory = story;
  $("reader").hidden = false;
  $("reader-title").textContent = story.title || "Untitled";
  const cast = story.participants.map((p) => p.name).join(", ");
  $("reader-meta").textContent = `${story.status} · ${story.narrative_style} · ${cast}`;
  const toc = $("reader-toc");
  const body = $("reader-body");
  toc.replaceChildren();
  body.replaceChildren();
  paragraphs(body, story.opening);
  for (const chapter of story.chapters) {
    const anchor = `chapter-${chapter.number}`;
    const link = element("a", chapter.title || `Chapter ${chapter.number}`);
    link.href = `#${anchor}`;
    toc.append(Object.assign(element("li"), { id: `toc-${chapter.number}` }));
    toc.lastChild.append(link);
    const heading = element("h4", chapter.title || `Chapter ${chapter.number}`);
    heading.id = anchor;
    heading.tabIndex = -1;
    body.append(heading);
    paragraphs(body, chapter.text);
  }
  if (story.closing) {
    body.append(element("h4", "Epilogue"));
    paragraphs(body, story.closing);
  }
  history.replaceState(null, "", storyHash(story.id)); // an address to come back to
  setupKnowledge(story);
  parentStoryId = null;
  try {
    parentStoryId = await showBranches(story, titlesOf);
  } catch (error) {
    $("branches").hidden = true;
    reportError(error);
  }
  $("reader-title").focus();
}

// #story-<id> (a branch link, or an address kept) opens that story.
function openFromAddress() {
  const storyId = storyInHash(location.hash);
  if (storyId && storyId !== currentStory?.id) openStory(storyId).catch(reportError);
}

async function compareWithParent() {
  if (!currentStory || !parentStoryId) return;
  try {
    await showDiff(parentStoryId, currentStory.id);
  } catch (error) {
    reportError(error);
  }
}

async function askKnowledge(event) {
  event.preventDefault();
  if (!currentStory) return;
  try {
    await showKnowledge(currentStory.simulation_id, $("k-character").value, Number($("k-turn").value));
  } catch (error) {
    reportError(error);
  }
}

export function fileName(story) {
  const slug = (story.title || "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `${slug ? `${slug.slice(0, 60)}-` : ""}${story.id}.md`;
}

async function downloadStory() {
  if (!currentStory) return;
  try {
    const markdown = await api(`/v1/stories/${encodeURIComponent(currentStory.id)}`, {
      accept: "text/markdown",
    });
    const url = URL.createObjectURL(new Blob([markdown], { type: "text/markdown" }));
    const link = element("a");
    link.href = url;
    link.download = fileName(currentStory);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (error) {
    reportError(error);
  }
}

// ---- start ------------------------------------------------------------------

async function loadAll() {
  try {
    await Promise.all([loadCharacters(), loadStories()]);
    openFromAddress();
    return true;
  } catch (error) {
    reportError(error);
    return false;
  }
}

function start() {
  $("key-form").addEventListener("submit", useKey);
  $("forget-key").addEventListener("click", () => {
    forgetKey();
    keyChanged();
    showMessage("Key forgotten.", true);
    $("api-key").focus();
  });
  $("character-form").addEventListener("submit", createCharacter);
  $("simulation-form").addEventListener("submit", startSimulation);
  $("cancel-simulation").addEventListener("click", cancelSimulation);
  $("refresh-stories").addEventListener("click", () => loadStories().catch(reportError));
  $("download-story").addEventListener("click", downloadStory);
  $("compare-parent").addEventListener("click", compareWithParent);
  $("knowledge-form").addEventListener("submit", askKnowledge);
  window.addEventListener("hashchange", openFromAddress);
  if (keyChanged()) loadAll();
  else {
    showMessage("Enter your API key to begin.", true);
    $("api-key").focus();
  }
}

start();
