#!/usr/bin/env python3
"""Generates a large IATI activity file for bench/import_iati from real IATI files.

Usage: gen.py --mb SIZE OUT.xml SOURCE.xml...

Concatenates the <iati-activity> elements of the real files, round after round, under one
<iati-activities version="2.03"> root until OUT reaches SIZE megabytes (10^6 bytes). Each round
gives every activity a fresh identifier (the original with "-rN" appended, N the round), so that
every activity of OUT is distinct. An activity keeps the IATI version of the file it came from:
when it has no version attribute of its own, its file's is written on it (the importer decides
the version per activity). Deterministic; streamed (memory does not grow with SIZE).
"""
import argparse
import re
import sys

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--mb", type=float, required=True)
p.add_argument("out")
p.add_argument("sources", nargs="+")
a = p.parse_args()

acts = []
for path in a.sources:
    text = open(path, encoding="utf-8").read()
    m = re.search(r"<iati-activities\b[^>]*?\sversion=\"([^\"]+)\"", text)
    file_version = m.group(1) if m else "1.03"
    for block in re.findall(r"<iati-activity\b.*?</iati-activity>", text, re.S):
        start = block[: block.index(">") + 1]
        if not re.search(r"\sversion=\"", start):
            block = block.replace("<iati-activity", '<iati-activity version="%s"' % file_version, 1)
        if "<iati-identifier>" not in block:
            continue
        acts.append(block)
if not acts:
    sys.exit("gen.py: no <iati-activity> with an <iati-identifier> in the sources")

target = int(a.mb * 1e6)
ident = re.compile(r"<iati-identifier>\s*([^<]*?)\s*</iati-identifier>")
written = 0
rounds = 0
n = 0
with open(a.out, "w", encoding="utf-8") as out:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
    out.write(head)
    written += len(head.encode())
    while written < target:
        rounds += 1
        for block in acts:
            b = ident.sub(lambda m: "<iati-identifier>%s-r%d</iati-identifier>" % (m.group(1), rounds),
                          block, count=1)
            out.write(b + "\n")
            written += len(b.encode()) + 1
            n += 1
            if written >= target:
                break
    out.write("</iati-activities>\n")
print("gen.py: %d activities in %d rounds, %.1f MB" % (n, rounds, written / 1e6), file=sys.stderr)
