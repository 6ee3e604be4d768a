"""`python -m bench.quality [--n 300] [--style detailed] [--cpu-runs 200] [--opcode-runs 12]
[--out DIR]`."""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from pathlib import Path

from bench.calibration import calibrate, calibration_line

from .checks import continuity, prose_consistency, unnamed
from .corpus import Story, calibration_ms, cpu_per_story, opcodes_per_story, random_story
from .metrics import (
    dialogue_lines,
    distinct,
    masks,
    mechanics_numbers,
    repeats,
    sentences,
    template,
)

SPOKEN = ("talk", "persuade", "deceive", "trade")


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _share(hits: int, total: int) -> str:
    return f"{_pct(hits / total)} ({hits}/{total})" if total else "n/a (0 cases)"


def measure(
    stories: list[Story], cpu: list[float], calibration: float, opcodes: tuple[float, float]
) -> list[tuple[str, str, str]]:
    """(measure, target, value) rows."""
    dup, rep, d2, d3 = [], [], [], []
    cross: Counter[str] = Counter()
    story_templates: list[list[str]] = []
    for s in stories:
        sents = sentences(s)
        names = masks(s)
        temps = [template(x, names) for x in sents]
        dup.append(repeats(sents))
        rep.append(repeats(temps))
        story_templates.append(temps)
        cross.update(set(temps))
        text = " ".join(sents)
        d2.append(distinct([text], 2))
        d3.append(distinct([text], 3))
    shared = sum(1 for temps in story_templates for t in temps if cross[t] > 1)
    total_sents = sum(len(t) for t in story_templates)
    corpus = [" ".join(sentences(s)) for s in stories]
    titles = len({s.title for s in stories})

    chapters = sum(len(s.chapters) for s in stories)
    numbers = sum(mechanics_numbers(s) for s in stories)
    spoken = sum(1 for s in stories for t in s.turns for e in t if e.action in SPOKEN)
    lines = sum(dialogue_lines(s) for s in stories)
    long_runs = [s for s in stories if s.first.turns_total >= 8]
    resolved = sum(
        1 for s in long_runs if any(f.kind == "resolution" for t in s.turns for e in t
                                    for f in e.effects)
    )  # fmt: skip
    goal_runs = [s for s in stories if s.first.turns_total >= 12]
    declared = sum(len(c.goals) for s in goal_runs for c in s.first.characters)
    settled = sum(
        len({(f.subject_id, f.detail) for t in s.turns for e in t for f in e.effects
             if f.kind == "goal" and f.detail in s.first.character(f.subject_id).goals})
        for s in goal_runs
    )  # fmt: skip
    # The final reckoning settles every open goal, so "resolved" is complete by
    # construction; what the run itself settled shows in the goals settled earlier.
    early = sum(
        len({(f.subject_id, f.detail) for t in s.turns for e in t for f in e.effects
             if f.kind == "goal" and e.turn < s.first.turns_total
             and f.detail in s.first.character(f.subject_id).goals})
        for s in goal_runs
    )  # fmt: skip
    patterned = sum(1 for s in stories for c in s.chapters if getattr(c, "patterns", ()))
    # Pacing: how many turns are left after the objective is reached (the climax should
    # come near the end, with a short relief after it).
    after = [
        s.first.turns_total - e.turn for s in stories for t in s.turns for e in t
        for f in e.effects if f.kind == "resolution" and f.value > 0
    ]  # fmt: skip
    cont: Counter[str] = Counter()
    prose: Counter[str] = Counter()
    for s in stories:
        cont.update(continuity(s))
        prose.update(prose_consistency(s))
    missing = sum(unnamed(s) for s in stories)
    cpu_sorted = sorted(cpu)
    p95 = cpu_sorted[int(0.95 * (len(cpu_sorted) - 1))] if cpu_sorted else 0.0

    def detail(c: Counter[str]) -> str:
        body = ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
        return f"{sum(c.values())}" + (f" ({body})" if body else "")

    return [
        ("Exact duplicate sentences per story (mean / worst)", "≤ 0.5 % / ≤ 2 %",
         f"{_pct(statistics.fmean(dup))} / {_pct(max(dup))}"),
        ("Repeated templates per story (mean / worst)", "≤ 5 %",
         f"{_pct(statistics.fmean(rep))} / {_pct(max(rep))}"),
        ("Sentences whose template appears in another story", "—", _pct(shared / total_sents)),
        ("distinct-2 / distinct-3 per story (mean)", "—",
         f"{statistics.fmean(d2):.2f} / {statistics.fmean(d3):.2f}"),
        ("distinct-2 / distinct-3 across the corpus", "distinct-3 ≥ 0.25",
         f"{distinct(corpus, 2):.3f} / {distinct(corpus, 3):.3f}"),
        ("Distinct titles", "≥ 95 %", _share(titles, len(stories))),
        ("Mechanics numbers per chapter", "0", f"{numbers / max(1, chapters):.2f}"),
        ("Dialogue lines per social action", "≥ 1", f"{lines / max(1, spoken):.2f} "
         f"({lines}/{spoken})"),
        ("Runs of 8+ turns reaching a resolution", "≥ 90 %", _share(resolved, len(long_runs))),
        ("Declared goals resolved, runs of 12+ turns", "≥ 80 %", _share(settled, declared)),
        ("... of them settled before the last turn", "—", _share(early, declared)),
        ("Chapters built around a found pattern", "—", _share(patterned, chapters)),
        ("Turns left after the objective is reached (mean / max)", "—",
         f"{statistics.fmean(after):.1f} / {max(after)} ({len(after)} runs)" if after else "n/a"),
        ("Continuity violations", "0", detail(cont)),
        ("Prose-consistency errors", "0", detail(prose)),
        ("Participants never named", "0", str(missing)),
        ("CPU per 4-character x 5-turn story (median / p95)", "≤ 12 ms",
         f"{statistics.median(cpu):.1f} ms / {p95:.1f} ms" if cpu else "n/a"),
        ("CPU of the calibration loop (20 M additions), same run", "—",
         f"{calibration:.0f} ms"),
        ("Python opcodes per 4x5 story: engine / chronicler (any host)", "—",
         f"{opcodes[0] / 1000:.0f} k / {opcodes[1] / 1000:.0f} k"),
    ]  # fmt: skip


def table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| Measure | Target | Measured |", "|---|---|---|"]
    lines += [f"| {m} | {t} | {v} |" for m, t, v in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="stories to write (default 300)")
    parser.add_argument("--style", default="detailed", help="narrative style (default detailed)")
    parser.add_argument("--cpu-runs", type=int, default=200, help="4x5 stories timed for CPU")
    parser.add_argument("--opcode-runs", type=int, default=12,
                        help="4x5 stories whose bytecode instructions are counted")  # fmt: skip
    parser.add_argument("--out", default="bench-results", help="where the samples go")
    args = parser.parse_args(argv)

    stories = [random_story(seed, args.style) for seed in range(args.n)]
    calibration = calibration_ms()
    cpu = cpu_per_story(args.cpu_runs)
    opcodes = opcodes_per_story(args.opcode_runs)
    rows = measure(stories, cpu, calibration, opcodes)
    # Opens with the calibration line, like every benchmark report: the CPU row's scale.
    report = calibration_line(calibrate()) + "\n\n" + table(rows)
    print(f"{args.n} seeded stories, style {args.style!r}, 2-6 characters, 2-20 turns\n")
    print(report)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "quality.md").write_text(report + "\n", encoding="utf-8")
    # Three samples of different lengths: short, middling and long runs.
    by_length = sorted(stories, key=lambda s: (s.first.turns_total, s.seed))
    picks = [by_length[len(by_length) // 6], by_length[len(by_length) // 2], by_length[-1]]
    for n, story in enumerate(picks, start=1):
        path = out / f"quality-sample-{n}.md"
        path.write_text(story.text(), encoding="utf-8")
        print(f"sample {n}: {path} (seed {story.seed}, {story.first.turns_total} turns)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
