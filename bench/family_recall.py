#!/usr/bin/env python3
"""How many of a synthetic corpus's copies a linked store found: for each
trimmed, edited and rewritten page (exact copies are stored once), whether
it has a relation to a page of its family; and how many relations join pages
of one family or of two.

    bench/family_recall.py PAGES.jsonl STORE.db

PAGES.jsonl: the records ingested (`id`, `family`, `kind`; pages are stored
with `https://synthetic.invalid/ID` URLs). STORE.db: after `storyline ingest`
(or `link --force`).
"""
import collections
import json
import sqlite3
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    family, kind = {}, {}
    with open(sys.argv[1]) as f:
        for line in f:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and "id" in record:
                family[record["id"]] = record.get("family")
                kind[record["id"]] = record.get("kind")
    db = sqlite3.connect(sys.argv[2])
    number = {}
    for article, url in db.execute("SELECT id, url FROM articles"):
        if url and url.startswith("https://synthetic.invalid/"):
            number[article] = int(url.rsplit("/", 1)[1])
    linked = collections.defaultdict(set)
    kinds = collections.Counter()
    same = other = 0
    for a, b, k in db.execute("SELECT a, b, kind FROM relations"):
        na, nb = number.get(a), number.get(b)
        if na is None or nb is None:
            continue
        kinds[k] += 1
        if family.get(na) == family.get(nb):
            same += 1
        else:
            other += 1
        linked[na].add(nb)
        linked[nb].add(na)
    stored = set(number.values())
    total, found = collections.Counter(), collections.Counter()
    for n in stored:
        k = kind.get(n)
        if k in (None, "Original") or family.get(n) not in stored:
            continue
        total[k] += 1
        if any(family.get(m) == family[n] for m in linked[n]):
            found[k] += 1
    print(f"relations {sum(kinds.values())} {dict(kinds)}: same family {same}, other {other}")
    for k in sorted(total):
        print(f"  {k}: recall {found[k]}/{total[k]} = {found[k] / total[k]:.4f}")


if __name__ == "__main__":
    main()
