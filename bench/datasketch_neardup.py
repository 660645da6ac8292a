"""datasketch on the pages `neardup_scale --dump-pages` wrote: the same word
5-shingles (lower-cased \\w+ runs), MinHash with 128 permutations, MinHashLSH
at threshold 0.5; each page is looked up, then inserted, as storyline does.

    python3 bench/datasketch_neardup.py PAGES.jsonl [N ...] [--rate]

Prints pages/s and peak RSS at each N (default 10000); with --rate, then
the pages/s over all pages alone on the last line.
"""

import json
import re
import resource
import sys
import time

from datasketch import MinHash, MinHashLSH

WORD = re.compile(r"\w+")


def shingles(text):
    w = [x.lower() for x in WORD.findall(text)]
    return {" ".join(w[i : i + 5]).encode() for i in range(len(w) - 4)}


def main():
    args = sys.argv[1:]
    # `--rate`: end with the last size's pages/s alone (`storyline bench`).
    rate = "--rate" in args
    args = [a for a in args if a != "--rate"]
    path = args[0]
    sizes = [int(x) for x in args[1:]] or [10000]
    pages = []
    with open(path) as f:
        for line in f:
            pages.append(json.loads(line))
            if len(pages) >= max(sizes):
                break
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    start = time.perf_counter()
    tp = fp = 0
    for i, p in enumerate(pages):
        m = MinHash(num_perm=128)
        sh = shingles(p["text"])
        if sh:
            m.update_batch(list(sh))
            for j in lsh.query(m):
                if pages[j]["family"] == p["family"]:
                    tp += 1
                else:
                    fp += 1
            lsh.insert(i, m)
        if i + 1 in sizes:
            dt = time.perf_counter() - start
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"datasketch {i + 1:>8} pages  {(i + 1) / dt:8.0f} pages/s  "
                f"peak RSS {rss:.0f} MiB  links {tp + fp}",
                flush=True,
            )
    if rate:
        print(len(pages) / (time.perf_counter() - start))


if __name__ == "__main__":
    main()
