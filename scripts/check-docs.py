#!/usr/bin/env python3
"""Checks the repository's prose stands on its own.

1. Every relative link in a Markdown file (README.md, docs/, and every other tracked .md) resolves to a file or
   folder in the repository, and every #anchor names a heading of the target file.
2. No tracked text file refers to documents or trackers a reader of the repository cannot see (a design brief,
   issue numbers).

Prints one line per problem, then "N passed, M failed". Exit 1 when anything failed.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|\!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")
# A repository path quoted in prose (`docs/thermal.md`, `scripts/demo.sh`): it must exist too.
CODE_PATH = re.compile(
    r"`((?:docs|scripts|examples|provisioning|packaging|Tests|Common|Agent|Aggregator|Simulator|Tools|Benchmarks)/"
    r"[A-Za-z0-9_./+-]+|[A-Za-z0-9_-]+\.md)`"
)
OUTSIDE = re.compile(
    r"design brief|DESIGN\.md|\bissue\s+#?\d+|\bissues?\s+\d+\s*(and|,|–|-)\s*\d+"
    r"|\b(later|next|this|the) issues?\b(?!\s+(is|was|that|here))|\bthe issue'?s\b",
    re.IGNORECASE)
TEXT_SUFFIXES = (".md", ".swift", ".sh", ".py", ".json", ".txt", ".service", ".toml", ".yml", ".yaml", ".h")


def tracked_files():
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


def slug(heading):
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    found = set()
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if not in_fence and line.startswith("#"):
                found.add(slug(line.lstrip("#")))
    return found


def check_links(md_path, problems):
    checked = 0
    in_fence = False
    with open(os.path.join(ROOT, md_path), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            for match in LINK.finditer(line):
                target = match.group(1) or match.group(2)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
                    continue  # an absolute URL: not checked here (no network)
                checked += 1
                path_part, _, anchor = target.partition("#")
                base = os.path.dirname(os.path.join(ROOT, md_path))
                resolved = os.path.normpath(os.path.join(base, path_part)) if path_part else os.path.join(ROOT, md_path)
                if not resolved.startswith(ROOT) or not os.path.exists(resolved):
                    problems.append(f"{md_path}:{number}: broken link '{target}' (no such file)")
                    continue
                if anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                    problems.append(f"{md_path}:{number}: broken link '{target}' (no heading '#{anchor}')")
            for match in CODE_PATH.finditer(line):
                quoted = match.group(1).rstrip(".")
                checked += 1
                here = os.path.join(os.path.dirname(os.path.join(ROOT, md_path)), quoted)
                if not (os.path.exists(os.path.join(ROOT, quoted)) or os.path.exists(here)):
                    problems.append(f"{md_path}:{number}: names '{quoted}', which does not exist")
    return checked


def check_outside_references(path, problems):
    try:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                match = OUTSIDE.search(line)
                if match:
                    problems.append(f"{path}:{number}: refers to '{match.group(0)}', which readers of the repository cannot see")
    except UnicodeDecodeError:
        pass


def main():
    problems = []
    files = tracked_files()
    checks = 0
    for path in files:
        if path.endswith(".md"):
            checks += check_links(path, problems)
        if path.endswith(TEXT_SUFFIXES) and path != "scripts/check-docs.py":
            checks += 1
            check_outside_references(path, problems)
    for problem in problems:
        print(problem)
    print(f"{checks - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
