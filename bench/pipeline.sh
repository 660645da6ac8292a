#!/usr/bin/env bash
# The whole pipeline (`storyline ingest`: read, clean, annotate, store, link)
# at growing sizes, on a SYNTHETIC corpus grown from Reuters-21578 (the
# stories, then pages mixed from their sentences, and injected copies,
# trimmed copies, edited copies and rewrites: see
# crates/storyline-link/examples/neardup_scale.rs), then on the WCXB HTML
# pages; next to trafilatura (extraction) and datasketch (near-duplicates)
# on the same pages in the same run.
#
#   bench/pipeline.sh [SIZES...]      (default: 10000 100000)
#
# Needs ../shared/data, a release build, and `pip install trafilatura
# datasketch` for the comparisons (skipped with a note when missing).
# Prints, per size: pages/s of the page stage and of the whole ingest,
# seconds linking, peak RSS and store size.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
max=$(printf '%s\n' "${sizes[@]}" | sort -n | tail -1)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p storyline
cargo build --release -q -p storyline-link --example neardup_scale
bin=./target/release/storyline

tar -xzf ../shared/data/corpus-reuters21578.tar.gz -C "$work"
reuters="$(find "$work" -name '*.jsonl' | head -1)"
./target/release/examples/neardup_scale "$reuters" --pages "$max" \
    --dump-pages "$work/pages.jsonl" --dump-limit "$max" >/dev/null 2>&1
echo "synthetic corpus: $(wc -l < "$work/pages.jsonl") pages, $(du -h "$work/pages.jsonl" | cut -f1) (flattened text)"

ingest() { # name input
    rm -rf "$work/s.db"*
    /usr/bin/time -f "%M" -o "$work/rss" "$bin" --db "$work/s.db" ingest "$2" --json \
        >"$work/report.json" 2>"$work/err" || true
    python3 - "$1" "$work/report.json" "$work/rss" "$work/s.db" <<'PY'
import json, os, sys
name, report, rss, db = sys.argv[1:]
r = json.load(open(report))
read = r["added"] + r["already_stored"] + r["failed"]
total = r["pages_seconds"] + r["link_seconds"]
size = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))
# The search index beside the file (tantivy, `{store}-search/`).
for root, _, files in os.walk(db + "-search"):
    size += sum(os.path.getsize(os.path.join(root, f)) for f in files)
print(f"{name:>14}: {read} pages; page stage {read / r['pages_seconds']:.0f} pages/s "
      f"({r['pages_seconds']:.1f} s), linking {r['link_seconds']:.1f} s, whole {read / total:.0f} pages/s; "
      f"peak RSS {int(open(rss).read().split()[-1]) / 1024:.0f} MiB; store {size / 2**20:.0f} MiB; "
      f"{r['events']} events")
# Steps of the two halves of linking overlap below 300k pages; their CPU
# seconds then count the other half's too.
print(" " * 16 + "linking steps (s, cores busy, MiB resident after it): "
      + ", ".join(f"{s['name']} {s['seconds']:.1f} ({(s.get('cpu_seconds') or 0) / max(s['seconds'], 1e-9):.1f}, "
                  f"{s['rss_mib'] or 0:.0f})" for s in r.get("link_steps", [])))
PY
}

for n in "${sizes[@]}"; do
    head -n "$n" "$work/pages.jsonl" > "$work/p$n.jsonl"
    ingest "text $n" "$work/p$n.jsonl"
done

# HTML: the WCXB dev pages, ten copies each with a marker so that they are
# distinct inputs (the copies then link as duplicates, as reprints would).
tar -xzf ../shared/data/extraction-wcxb-articles-dev.tar.gz -C "$work"
wcxb=$(dirname "$(find "$work" -name ground-truth.jsonl | head -n 1)")
python3 - "$wcxb" "$work/html.jsonl" <<'PY'
import json, pathlib, sys
src, out = pathlib.Path(sys.argv[1]), sys.argv[2]
pages = sorted(p for p in src.rglob("*.html"))
with open(out, "w") as f:
    for k in range(10):
        for p in pages:
            html = p.read_text(errors="replace") + f"\n<!-- copy {k} -->"
            f.write(json.dumps({"url": f"https://wcxb.invalid/{k}/{p.name}", "html": html}) + "\n")
PY
ingest "html" "$work/html.jsonl"

echo "--- comparisons (same pages, same run) ---"
"$bin" eval extraction "$wcxb" 2>/dev/null | sed -n 2,4p | awk '{print "storyline cleaner (one core): " $0}'
if python3 -c 'import trafilatura' 2>/dev/null; then
    python3 - "$wcxb" <<'PY'
import pathlib, sys, time, trafilatura
pages = [p.read_text(errors="replace") for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.html"))]
t = time.perf_counter()
for h in pages:
    trafilatura.extract(h)
dt = time.perf_counter() - t
print(f"trafilatura extract (one core): {len(pages) / dt:.0f} pages/s over {len(pages)} WCXB HTML pages")
PY
else
    echo "skip trafilatura: pip install trafilatura"
fi
if python3 -c 'import datasketch' 2>/dev/null; then
    head -n 10000 "$work/pages.jsonl" > "$work/d.jsonl"
    python3 bench/datasketch_neardup.py "$work/d.jsonl" 10000
    # The header line and the 10,000-page row.
    ./target/release/examples/neardup_scale "$reuters" --pages 10000 2>&1 | grep -A1 "pages/s" | head -2
else
    echo "skip datasketch: pip install datasketch"
fi
