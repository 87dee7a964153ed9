#!/usr/bin/env bash
# A database file larger than the memory a process may use still opens and answers.
#
#   sudo bash benches/memlimit.sh [DATA_DIR] [LIMIT_MB]     # default benches/data/1m-s42, 64
#
# Imports DATA_DIR's persons and KNOWS into a temporary database file, drops the
# file's pages from the page cache (posix_fadvise DONTNEED), then runs a
# read-only quiver in a memory cgroup limited to LIMIT_MB (cgroup v2 memory.max,
# or v1 memory.limit_in_bytes), asking a point lookup, friends, friends of friends,
# a shortest path and an aggregation over every person. Prints the file size, the
# limit, each answer, and the cgroup's peak memory. Needs root (to make a cgroup).
# Not part of CI.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${1:-$HERE/data/1m-s42}"
LIMIT_MB="${2:-64}"
QUIVER="${QUIVER:-$HERE/../target/release/quiver}"
WORK="$(mktemp -d /tmp/quiver-memlimit-XXXX)"
DB="$WORK/big.qv"

"$QUIVER" import --id-type integer --nodes "Person=$DATA/persons.csv" \
    --relationships "KNOWS=$DATA/knows.csv" "$DB" >/dev/null
"$QUIVER" "$DB" -c "CREATE INDEX FOR (p:Person) ON (p.id)" >/dev/null
FILE_BYTES=$(( $(stat -c %s "$DB") + $(stat -c %s "$DB-wal" 2>/dev/null || echo 0) ))
python3 - "$DB" <<'EOF'
import os, sys
for p in (sys.argv[1], sys.argv[1] + "-wal"):
    if os.path.exists(p):
        fd = os.open(p, os.O_RDONLY); os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)
EOF

LIMIT=$(( LIMIT_MB * 1024 * 1024 ))
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    CG=/sys/fs/cgroup/quiver-memlimit-$$
    mkdir "$CG"
    echo "$LIMIT" > "$CG/memory.max"
    echo 0 > "$CG/memory.swap.max" 2>/dev/null || true
    PEAK_FILE="$CG/memory.peak"
else
    CG=/sys/fs/cgroup/memory/quiver-memlimit-$$
    mkdir "$CG"
    echo "$LIMIT" > "$CG/memory.limit_in_bytes"
    echo "$LIMIT" > "$CG/memory.memsw.limit_in_bytes" 2>/dev/null || true
    PEAK_FILE="$CG/memory.max_usage_in_bytes"
fi
trap 'rmdir "$CG" 2>/dev/null || true; rm -rf "$WORK"' EXIT

HUB=$(python3 -c "import json; print(json.load(open('$DATA/expected.json'))['hub']['id'])" 2>/dev/null || echo 0)
QUERIES="MATCH (p:Person {id: 12345}) RETURN p.name AS name, p.age AS age;
MATCH (p:Person {id: $HUB})-[:KNOWS]-(f) RETURN count(f) AS friends;
MATCH (p:Person {id: 12345})-[:KNOWS]-()-[:KNOWS]-(fof) WHERE fof <> p RETURN count(DISTINCT fof) AS fof;
MATCH (a:Person {id: 1}), (b:Person {id: 999}) MATCH p = shortestPath((a)-[:KNOWS*]-(b)) RETURN length(p) AS hops;
MATCH (p:Person) RETURN count(*) AS persons, avg(p.age) AS avg_age;"

echo "database: $DB, $(( FILE_BYTES / 1024 / 1024 )) MiB on disk; memory limit ${LIMIT_MB} MiB"
sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CG" \
    "$QUIVER" "$DB" --read-only --format json <<<"$QUERIES" | sed 's/,"stats":.*/}/' 
echo "all answered; peak memory of the cgroup: $(( $(cat "$PEAK_FILE") / 1024 / 1024 )) MiB"
