#!/usr/bin/env bash
# `make test-under-load`: run the whole `make test` RUNS times in a row while one CPU-bound
# process runs beside it, as on a teacher's busy laptop. The load is Debian's `stress-ng --cpu 1`
# or, when stress-ng is missing, a plain Python busy loop. The load process is stopped whatever
# happens (pass, failure, Ctrl-C); the target fails when any run fails.
#
#   usage: tools/test_under_load.sh PYTHON [RUNS]
#   PYTEST_ARGS (make variable or environment) reaches every `make test` run.
set -u
python=${1:?usage: tools/test_under_load.sh PYTHON [RUNS]}
runs=${2:-3}
make_cmd=${MAKE:-make}

if command -v stress-ng >/dev/null 2>&1; then
    echo "load: stress-ng --cpu 1"
    setsid stress-ng --cpu 1 --timeout 0 --quiet &
else
    echo "load: stress-ng is not installed (on Debian or Ubuntu: sudo apt-get install stress-ng);"
    echo "      using a Python busy loop on one core instead"
    setsid "$python" -c 'while True: pass' &
fi
load=$!  # its own session and process group (setsid), so stopping the group stops every worker

stop_load() {
    kill -TERM -- "-$load" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do  # polls: is the load gone yet?
        kill -0 -- "-$load" 2>/dev/null || break
        sleep 0.5
    done
    kill -KILL -- "-$load" 2>/dev/null
    wait "$load" 2>/dev/null
    echo "load: stopped (pid $load)"
}
trap stop_load EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export UNDER_LOAD=1  # recorded in build/bench-suite.json by `make test`
failed=()
for i in $(seq 1 "$runs"); do
    echo
    echo "=== make test under load: run $i of $runs ($(date -u +%H:%M:%S) UTC) ==="
    started=$(date +%s)
    if "$make_cmd" --no-print-directory test; then
        echo "=== run $i of $runs passed in $(( $(date +%s) - started )) s ==="
    else
        echo "=== run $i of $runs FAILED after $(( $(date +%s) - started )) s ==="
        failed+=("$i")
    fi
done

echo
if [ ${#failed[@]} -eq 0 ]; then
    echo "make test-under-load: all $runs runs passed beside a CPU-bound process"
    exit 0
fi
echo "make test-under-load: run(s) ${failed[*]} of $runs failed"
exit 1
