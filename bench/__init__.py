"""Newsroom's benchmarks (`make bench`, issue 6): readers, import, size and memory.

Each figure is a ratio against a floor measured in the same run: a bare Django view for the
readers, bleach alone for the import, the same pages at 1,000 stories for the size benchmark.
`__main__` runs them, `scenarios` holds the four, `jobs` is what runs inside Django, `floor` is
the bare view, `stories` and `bulk` make the data, `load` serves and loads, `results` reports.
"""
