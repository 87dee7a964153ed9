#!/usr/bin/env bash
# Installs the benchmark peers into benches/.venv (idempotent).
#
#   bash benches/setup.sh            # everything
#   SKIP_FALKORDB=1 bash benches/setup.sh   # skip the ~6 minute falkordblite build
#
# Each peer is installed on its own; one that fails is reported loudly and
# recorded in benches/.venv/peers-failed.txt, and compare.py skips it with a note.
# Exit status: 0 when all peers installed, 3 when some failed, 1 when the
# virtualenv itself could not be made.
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="${BENCH_VENV:-$HERE/.venv}"

# falkordblite needs Python >= 3.12: prefer pyenv's 3.12/3.13, then python3.12/3.13 on PATH.
find_python() {
    if [ -n "${BENCH_PYTHON:-}" ]; then echo "$BENCH_PYTHON"; return; fi
    if command -v pyenv >/dev/null 2>&1; then
        local root; root="$(pyenv root)"
        for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[2-9]\.[0-9]+$' | sort -V -r); do
            if [ -x "$root/versions/$v/bin/python3" ]; then echo "$root/versions/$v/bin/python3"; return; fi
        done
    fi
    for p in python3.13 python3.12 python3; do
        if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
            command -v "$p"; return
        fi
    done
    echo ""
}

if [ ! -x "$VENV/bin/python" ]; then
    PY="$(find_python)"
    if [ -z "$PY" ]; then
        echo "setup.sh: no Python >= 3.12 found (falkordblite needs it); set BENCH_PYTHON" >&2
        PY="$(command -v python3)"
        [ -n "$PY" ] || { echo "setup.sh: no python3 at all" >&2; exit 1; }
    fi
    echo "setup.sh: making $VENV with $PY ($("$PY" --version 2>&1))"
    "$PY" -m venv "$VENV" || { echo "setup.sh: cannot make the virtualenv" >&2; exit 1; }
    "$VENV/bin/python" -m pip install -q --upgrade pip || true
fi

PIP=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
FAILED="$VENV/peers-failed.txt"
: > "$FAILED"

# name  pip-spec  import-check
PEERS=(
    "kuzu|kuzu==0.11.3|import kuzu; assert kuzu.__version__.startswith('0.11.3'), kuzu.__version__"
    "ladybug|ladybug==0.22.0|import ladybug; assert ladybug.__version__.startswith('0.22'), ladybug.__version__"
    "networkx|networkx|import networkx"
    "scipy|scipy|import scipy"    # networkx's pagerank (A1) needs it
    "rustworkx|rustworkx|import rustworkx"
    "igraph|igraph|import igraph"
    "pandas|pandas|import pandas"  # C1/C2: results as DataFrames (Kùzu's get_as_df, quiver's to_df)
    "maturin|maturin>=1.9.4,<2|import maturin"  # builds quiver for Python into this venv (the quiver-python engine)
    "falkordblite|falkordblite|from redislite.falkordb_client import FalkorDB"
)

status=0
for entry in "${PEERS[@]}"; do
    IFS='|' read -r name spec check <<<"$entry"
    if [ "$name" = falkordblite ] && [ -n "${SKIP_FALKORDB:-}" ]; then
        echo "setup.sh: skipping falkordblite (SKIP_FALKORDB set)"
        echo "falkordblite skipped by SKIP_FALKORDB" >> "$FAILED"
        continue
    fi
    if "$VENV/bin/python" -c "$check" >/dev/null 2>&1; then
        echo "setup.sh: $name already installed"
        continue
    fi
    echo "setup.sh: installing $spec ..."
    if "${PIP[@]}" "$spec" && "$VENV/bin/python" -c "$check"; then
        echo "setup.sh: $name OK"
    else
        echo "setup.sh: *** FAILED to install $name ($spec) — compare.py will skip it ***" >&2
        echo "$name" >> "$FAILED"
        status=3
    fi
done
"$VENV/bin/python" -m pip freeze > "$VENV/peers-versions.txt" 2>/dev/null || true
echo "setup.sh: done (versions in $VENV/peers-versions.txt)"
exit $status
