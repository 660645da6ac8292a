#!/usr/bin/env python3
"""A topic corpus from a synthetic bench corpus: every sentence of every page
gets a clause naming the same people and places (Kim Jong Un, North Korea,
Seoul, KCNA, ...), as pages collected on one topic do. The clause a sentence
gets depends on its own words, so copies and rewrites keep theirs, and the
records' truth (`family`, `kind`) still holds for bench/family_recall.py.

    bench/topic_corpus.py PAGES.jsonl TOPIC.jsonl

PAGES.jsonl: records with `text`, `family` and `kind`, e.g. from
`neardup_scale --dump-pages FILE --dump-limit N`.
"""
import json
import re
import sys
import zlib

CLAUSES = [
    " as Kim Jong Un of North Korea watched from Pyongyang.",
    ", officials in Seoul and Washington said on Tuesday.",
    ", KCNA reported.",
    " according to the Korea Institute for Defense Analyses.",
]


def with_topic(text):
    out = []
    for part in re.split(r"(?<=\.)(?=\s|$)", text):
        if part.endswith("."):
            key = zlib.crc32(part.strip()[-40:].lower().encode())
            part = part[:-1] + CLAUSES[key % len(CLAUSES)]
        out.append(part)
    return "".join(out)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as src, open(sys.argv[2], "w") as dst:
        for line in src:
            try:
                record = json.loads(line)
            except ValueError:
                dst.write(line)
                continue
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                record["text"] = with_topic(record["text"])
            dst.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
