#!/usr/bin/env bash
# Query latency of an existing store (issue 9: "query latency flat as the
# store grows"): serves STORE on loopback, then
#   - wrk on /api/events/{id} and /events/{id} for 2,000 random event ids
#     (throughput, p50, p99), and
#   - the median of 5 single requests for home, search, entities, quotes,
#     storylines and one entity page.
# Run it on stores of growing size (bench/pipeline.sh leaves none behind;
# build them with `storyline --db S ingest pages.jsonl`).
#
#   bench/query_latency.sh STORE [SECONDS=10]
#
# Needs wrk (Debian: apt-get install wrk), curl and a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?usage: bench/query_latency.sh STORE [SECONDS]}
secs=${2:-10}
work=$(mktemp -d)
cargo build --release -q -p storyline
python3 - "$store" "$work" <<'PY'
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
out = sys.argv[2]
open(f"{out}/ids.txt", "w").write("\n".join(r[0] for r in c.execute(
    "SELECT id FROM events ORDER BY random() LIMIT 2000")) + "\n")
ent = c.execute("SELECT id FROM entities ORDER BY random() LIMIT 1").fetchone()
open(f"{out}/entity.txt", "w").write(ent[0] if ent else "")
n = c.execute("SELECT count(*) FROM articles").fetchone()[0]
print(f"store: {n} articles")
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./target/release/storyline --db "$store" serve --addr "127.0.0.1:$port" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/events?limit=1" >/dev/null && break; sleep 0.2; done
for path in /api/events/ /events/; do
    cat > "$work/req.lua" <<LUA
local ids = {}
for line in io.lines("$work/ids.txt") do ids[#ids + 1] = line end
local i = 0
request = function()
  i = (i % #ids) + 1
  return wrk.format("GET", "$path" .. ids[i])
end
LUA
    wrk -t2 -c16 -d"${secs}s" --latency -s "$work/req.lua" "http://127.0.0.1:$port" >"$work/wrk.txt"
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
    echo "${path}{id}: $rps req/s, p50 $p50, p99 $p99"
done
entity=$(cat "$work/entity.txt")
for path in "/" "/api/search?q=oil+prices" "/api/search?q=said" \
    "/api/search?q=oil+prices&from=1987-03-01&to=1987-03-31" "/search?q=oil+prices" "/api/entities" \
    "/api/quotes" "/api/storylines" "/entities/$entity"; do
    t=$(for _ in 1 2 3 4 5; do
        curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port$path"
    done | sort -n | sed -n 3p)
    echo "$path: median $(python3 -c "print(f'{float(\"$t\") * 1000:.1f}')") ms"
done
