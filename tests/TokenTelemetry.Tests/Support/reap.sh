#!/usr/bin/env bash
# Leaves nothing of a test run behind: stops every process whose arguments name a path under DIR (a Postgres
# postmaster gets a fast shutdown, anything else SIGTERM, then SIGKILL if it lingers), then deletes DIR.
#   reap.sh DIR            now (a finished test's folder)
#   reap.sh --on-eof DIR   once standard input closes: the test process holds the other end of that pipe, so this
#                          runs when the run ends however it ends (normally, a failure, Ctrl-C, SIGKILL).
# DIR must be a test run's folder (…/tt-suite-*), so a wrong argument can never reach anything else.
set -u
trap '' INT TERM HUP PIPE # Ctrl-C and the death of the test process must not stop the clean-up
if [ "${1:-}" = --on-eof ]; then
  shift
  cat >/dev/null
fi
dir=${1:-}
dir=${dir%/}
case "$dir" in
  /*/tt-suite-*) ;;
  *) echo "reap.sh: '$dir' is not a test run's folder (…/tt-suite-*)" >&2; exit 2 ;;
esac

# Processes whose arguments name $dir or a path under it (postgres -D, prometheus --storage.tsdb.path=, the tool),
# or that run inside it. Retitled Postgres children ("postgres: checkpointer") go down with their postmaster.
holders() {
  local f pid arg postmaster cwd
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}; pid=${pid%/cmdline}
    [ "$pid" = $$ ] && continue
    local -a args=()
    { mapfile -d '' -t args < "$f"; } 2>/dev/null || continue # a process may end while we look
    [ ${#args[@]} -eq 0 ] && continue
    [[ "${args[*]}" == *reap.sh* || "${args[0]}" == postgres:* ]] && continue
    postmaster=no
    [[ "${args[0]}" == */postgres || "${args[0]}" == postgres ]] && postmaster=yes
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null)
    if [[ "$cwd" == "$dir" || "$cwd" == "$dir"/* ]]; then echo "$pid $postmaster"; continue; fi
    for arg in "${args[@]:1}"; do
      if [[ "$arg" == "$dir" || "$arg" == "$dir"/* || "$arg" == *="$dir"/* ]]; then
        echo "$pid $postmaster"
        break
      fi
    done
  done
}

gone_within() { # seconds pid...
  local deadline=$((SECONDS + $1)) pid alive
  shift
  while :; do
    alive=0
    for pid in "$@"; do [ -e "/proc/$pid" ] && alive=1; done
    [ $alive -eq 0 ] && return 0
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}

pids=()
while read -r pid postmaster; do
  pids+=("$pid")
  if [ "$postmaster" = yes ]; then kill -INT "$pid" 2>/dev/null; else kill -TERM "$pid" 2>/dev/null; fi
done < <(holders)
if [ ${#pids[@]} -gt 0 ] && ! gone_within 30 "${pids[@]}"; then
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  gone_within 10 "${pids[@]}"
fi
rm -rf -- "$dir"
[ ! -e "$dir" ]
