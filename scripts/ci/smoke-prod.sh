#!/usr/bin/env bash
# CI: `npm run build`, then `npm run start:prod` exactly as the Docker image runs it (NODE_ENV=production,
# --no-embedded), one web and one worker process on the CI PostgreSQL and Redis, in a database of
# their own. Checks: it refuses to start without DATABASE_URL/REDIS_URL, becomes ready, serves the
# console from dist/, and both processes stop on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/../.."

base_url="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
db="prod_smoke_$$"
database_url="${base_url%/*}/$db"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 -- "-$p" 2>/dev/null || true; done
  psql "$base_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== build"
start=$(date +%s)
npm run build >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
echo "built in $(( $(date +%s) - start )) s"

echo "== start:prod refuses the embedded defaults"
if env -u DATABASE_URL -u REDIS_URL node dist/main.js --no-embedded >"$work/refuse.log" 2>&1; then
  echo "start:prod started without DATABASE_URL/REDIS_URL"; exit 1
fi
grep -q 'set DATABASE_URL and REDIS_URL' "$work/refuse.log" || { echo "unclear refusal:"; cat "$work/refuse.log"; exit 1; }

echo "== start:prod: one web, one worker"
psql "$base_url" -qc "CREATE DATABASE $db" >/dev/null
port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
common=(NODE_ENV=production DATABASE_URL="$database_url" REDIS_URL="$redis_url" PORT="$port"
  TWILIO_ACCOUNT_SID=AC00000000000000000000000000000001 TWILIO_AUTH_TOKEN=ci-smoke SESSION_SECRET=ci-smoke LOG_LEVEL=info)
# each in its own process group, so that every process it started can be checked and stopped
setsid env "${common[@]}" npm run start:prod -- --role web >"$work/web.log" 2>&1 &
pids+=($!)
setsid env "${common[@]}" npm run start:prod -- --role worker >"$work/worker.log" 2>&1 &
pids+=($!)
ready=""
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >"$work/readyz.json" 2>/dev/null; then ready=yes; break; fi
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 1
done
[ -n "$ready" ] || { echo "start:prod did not become ready"; cat "$work/web.log"; exit 1; }
cat "$work/readyz.json"; echo
curl -fsS "http://127.0.0.1:$port/console/login" | grep -q '<form' || { echo "the console did not render from dist/"; exit 1; }
for _ in $(seq 1 60); do grep -q 'worker started' "$work/worker.log" && break; sleep 1; done
grep -q 'worker started' "$work/worker.log" || { echo "the worker did not start"; cat "$work/worker.log"; exit 1; }
if pgrep -a -g "${pids[0]}" | grep -q tsx; then echo "start:prod runs tsx:"; pgrep -a -g "${pids[0]}"; exit 1; fi
pgrep -a -g "${pids[0]}" | grep -q 'node .*dist/main.js' || { echo "start:prod does not run dist/main.js"; exit 1; }

# as `docker stop` does: SIGTERM to the node process
for p in "${pids[@]}"; do kill -TERM $(pgrep -g "$p" -f 'dist/main.js') 2>/dev/null || true; done
for p in "${pids[@]}"; do
  for _ in $(seq 1 30); do pgrep -g "$p" >/dev/null || break; sleep 1; done
  if pgrep -g "$p" >/dev/null; then echo "start:prod did not stop on SIGTERM"; pgrep -a -g "$p"; cat "$work"/*.log; exit 1; fi
done
tail -n 2 "$work/web.log" "$work/worker.log"
echo "smoke start:prod: ok"
