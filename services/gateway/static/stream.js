// Server-Sent Events over fetch(): the gateway authenticates the stream by its
// Authorization header, which EventSource cannot send. A dropped connection is
// resumed with Last-Event-ID, so the gateway replays only what came after it.
import { authHeaders, errorOf } from "./api.js";

const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_RETRIES = 8;

class Retry extends Error {}

// Feeds on lines; returns {event, id, data} when a blank line ends an event.
export class SseParser {
  constructor() {
    this.event = "";
    this.id = "";
    this.data = [];
  }

  feed(line) {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null; // keep-alive comment
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") this.data.push(value);
    else if (name === "event") this.event = value;
    else if (name === "id" && !value.includes("\0")) this.id = value;
    return null;
  }

  dispatch() {
    if (this.data.length === 0) {
      this.event = "";
      return null;
    }
    const text = this.data.join("\n");
    let data = text;
    try {
      data = JSON.parse(text);
    } catch {
      // Not JSON: hand over the text.
    }
    const event = { event: this.event || "message", id: this.id, data };
    this.event = "";
    this.data = [];
    return event;
  }
}

// After these the gateway ends the stream on purpose: no reconnect is due.
export function closesStream(event) {
  if (event.event === "story") return true;
  const status = event.data && typeof event.data === "object" ? event.data.status : undefined;
  return event.event === "status" && status !== undefined && status !== "completed";
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function readOnce(url, lastId, signal, onEvent) {
  const headers = authHeaders("text/event-stream");
  if (lastId) headers["Last-Event-ID"] = lastId;
  const response = await fetch(url, { headers, signal, cache: "no-store" });
  if (!response.ok) {
    const error = await errorOf(response);
    if (RETRYABLE.has(response.status)) throw new Retry(error.message);
    throw error;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    // A trailing "\r" may be the first half of "\r\n": keep it for the next chunk.
    const cut = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, cut).replace(/\r\n?/g, "\n").split("\n");
    buffer = lines.pop() + buffer.slice(cut);
    for (const line of lines) {
      const event = parser.feed(line);
      if (event) onEvent(event);
    }
  }
}

// Calls onEvent for every event of the simulation until its stream ends.
export async function followSimulation(simulationId, onEvent, { signal, onRetry } = {}) {
  const url = `/v1/simulations/${encodeURIComponent(simulationId)}/events`;
  let lastId = "";
  let failures = 0;
  let ended = false;
  const handle = (event) => {
    failures = 0;
    if (event.id) lastId = event.id;
    if (closesStream(event)) ended = true;
    onEvent(event);
  };
  while (!ended) {
    let reason = "the stream closed before the simulation ended";
    try {
      await readOnce(url, lastId, signal, handle);
    } catch (error) {
      if (signal && signal.aborted) return;
      // fetch() rejects with a TypeError when the network fails.
      if (!(error instanceof Retry) && !(error instanceof TypeError)) throw error;
      reason = error.message;
    }
    if (ended || (signal && signal.aborted)) return;
    failures += 1;
    if (failures > MAX_RETRIES) throw new Error(`lost the stream: ${reason}`);
    if (onRetry) onRetry(reason, lastId);
    await sleep(Math.min(250 * 2 ** failures, 5000));
  }
}
