#!/usr/bin/env python3
"""Checks the size rules of the sources: no file over 600 lines, no line over 120 characters,
and no function over 80 lines in the engine and runtime modules (BPMEngine, BPMRuntime).
Generated code (a 'DO NOT EDIT' header) is exempt. Prints each violation; exits 1 if any."""
import os, re, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FUNCTION_MODULES = ("BPMEngine", "BPMRuntime")
DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|internal|private|fileprivate|static|mutating|nonisolated|override|final|@discardableResult)\s+)*(?:func\s+\w+|init\??\s*[(<])')

def function_lengths(lines):
    """(name line, length) of each function: from its declaration to its closing brace."""
    out = []
    i = 0
    while i < len(lines):
        if DECL.match(lines[i]) and not lines[i].strip().startswith("//"):
            depth, started, j = 0, False, i
            while j < len(lines):
                code = re.sub(r'"(?:\\.|[^"\\])*"', '""', lines[j].split("//")[0])
                depth += code.count("{") - code.count("}")
                if "{" in code: started = True
                if started and depth <= 0: break
                if not started and j > i + 8: break  # a protocol requirement: no body
                j += 1
            if started: out.append((i + 1, j - i + 1, lines[i].strip()))
            i += 1
        else:
            i += 1
    return out

problems = []
for base in ("Sources",):
    for dirpath, _, files in os.walk(os.path.join(ROOT, base)):
        for f in sorted(files):
            if not f.endswith(".swift"): continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, ROOT)
            text = open(path, encoding="utf-8").read()
            if "DO NOT EDIT" in text[:2000]: continue
            lines = text.split("\n")
            if len(lines) > 601: problems.append(f"{rel}: {len(lines) - 1} lines (at most 600)")
            for n, l in enumerate(lines, 1):
                if len(l) > 120: problems.append(f"{rel}:{n}: {len(l)} characters (at most 120)")
            if rel.split(os.sep)[1] in FUNCTION_MODULES:
                for line, length, decl in function_lengths(lines):
                    if length > 80: problems.append(f"{rel}:{line}: a function of {length} lines (at most 80): {decl[:60]}")
# which rules: files, functions, width (default: all three)
modes = set(sys.argv[1:]) or {"files", "functions", "width"}
kinds = {"files": "lines (at most 600)", "functions": "function of", "width": "characters (at most 120)"}
shown = [p for p in problems if any(kinds[m] in p for m in modes)]
for p in shown: print(p)
print(f"{len(shown)} problem(s)", file=sys.stderr)
sys.exit(1 if shown else 0)
