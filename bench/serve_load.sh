#!/usr/bin/env bash
# Load test of the event page API (issue 8): a store of N pages made from
# Reuters-21578 stories and sentence mixes, then bench/query_latency.sh on
# it (wrk on /api/events/{id} and /events/{id} for random event ids, and
# the list pages).
#
#   bench/serve_load.sh reuters21578.jsonl [N=100000]
#
# Needs wrk (Debian: apt-get install wrk) and a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: bench/serve_load.sh reuters21578.jsonl [N]}
n=${2:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$src" "$n" "$work/pages.jsonl" <<'PY'
import json, random, sys, datetime
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(7)
stories = []
for l in open(src):
    v = json.loads(l)
    b = ' '.join((v.get('body') or '').split())
    if len(b.split()) >= 40:
        stories.append((v.get('title') or '', b))
sents = [s for _, b in stories for s in b.split('. ') if len(s.split()) > 5]
outlets = ['Wire A', 'Daily B', 'Herald C', 'Post D', 'Times E', 'Gazette F']
start = datetime.date(1987, 2, 26)
with open(out, 'w') as f:
    for i in range(n):
        day = start + datetime.timedelta(days=i // 250)
        if i < len(stories):
            t, b = stories[i]
        else:
            b = '. '.join(random.choice(sents) for _ in range(random.randint(4, 9))) + '.'
            t = ' '.join(b.split()[:8])
        f.write(json.dumps({"url": f"https://example.test/{i}", "title": t, "text": b,
                            "published": day.isoformat(), "outlet": outlets[i % 6]}) + '\n')
PY
cargo build --release -q -p storyline
/usr/bin/time -f "ingest: %e s, peak %M KB" ./target/release/storyline --db "$work/s.db" ingest "$work/pages.jsonl" >/dev/null 2>"$work/ingest.err" || true
tail -1 "$work/ingest.err"
bench/query_latency.sh "$work/s.db" 15
