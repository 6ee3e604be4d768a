"""`python -m bench.quality`: the story-quality benchmark (issue 13).

Runs N seeded stories in process (engine + chronicler, no services), measures the prose
and the drama, checks continuity and prose consistency with a tracker independent of the
engine, and writes three sample stories under bench-results/.
"""
