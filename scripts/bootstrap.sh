#!/usr/bin/env bash
# Prepares a machine for Propel, then runs the given command in that environment:
#   1. Node.js >= 22 (when the system's is older, Node 24 from the npm registry, cached);
#   2. PostgreSQL and Redis on 127.0.0.1 (started when installed and stopped, installed from
#      Debian packages when absent and this is a Debian machine we may administer);
#   3. dependencies (`npm ci` when node_modules is missing or older than the lockfile) and the
#      generated Prisma client;
#   4. for the test suite (`npm test`), Chromium for the browser end-to-end tests (Debian's
#      package; Playwright's own browser download does not work offline).
# Usage: bash scripts/bootstrap.sh COMMAND [ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '\033[1m[propel]\033[0m %s\n' "$*" >&2; }

# Prisma 6.19 with the JS engine needs no engine binaries; pointing these at any existing file
# stops the CLI from trying to download them (it cannot: there may be no internet).
export PRISMA_SCHEMA_ENGINE_BINARY="$PWD/package.json"
export PRISMA_QUERY_ENGINE_LIBRARY="$PWD/package.json"
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if [ "$(node_major)" -ge 22 ]; then return; fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) log "Node.js >= 22 is required (found $(node -v 2>/dev/null || echo none))"; exit 1 ;;
  esac
  local dir="${PROPEL_NODE_HOME:-$HOME/.cache/propel/node24}"
  local bin="$dir/node_modules/node-linux-$arch/bin"
  if [ ! -x "$bin/node" ]; then
    log "Node $(node -v 2>/dev/null || echo '(none)') is older than 22: installing Node 24 into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund \
      "node-linux-$arch@24" >&2
  fi
  export PATH="$bin:$PATH"
  log "using Node $(node -v) from $bin"
}

port_open() {
  node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1");s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1));setTimeout(()=>process.exit(1),1500)' "$1"
}

wait_for_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  return 1
}

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "$1 is not installed; install it (see README, Requirements) and run again"
    exit 1
  fi
  log "installing $* from Debian packages"
  apt-get update -qq >&2 && apt-get install -y -qq "$@" >&2
}

ensure_postgres() {
  port_open 5432 && return
  if ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql
    # Debian's cluster allows password logins on 127.0.0.1; give the local superuser the
    # password the default DATABASE_URL uses.
    su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >&2 || true
  fi
  local version
  version="$(ls /etc/postgresql | sort -n | tail -1)"
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  wait_for_port 5432 || { log "PostgreSQL did not start on 127.0.0.1:5432"; exit 1; }
}

ensure_redis() {
  port_open 6379 && return
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  # Durable like production should be (README, "Deploying at scale"): every write goes to the
  # append-only file, flushed each second, so a restart keeps the queued jobs; and BullMQ needs
  # noeviction, or a full Redis would silently drop jobs instead of refusing new ones.
  local dir="${TMPDIR:-/tmp}/propel-redis"
  mkdir -p "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
    --dir "$dir" --logfile "${TMPDIR:-/tmp}/propel-redis.log" >&2
  wait_for_port 6379 || { log "Redis did not start on 127.0.0.1:6379"; exit 1; }
}

ensure_dependencies() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund >&2
  fi
  # npm ci leaves a stub client (install scripts do not run); the generated one has the schema.
  local generated=node_modules/.prisma/client/schema.prisma
  if [ ! -f "$generated" ] || [ prisma/schema.prisma -nt "$generated" ]; then
    npx prisma generate >&2
  fi
}

# The browser tests drive Debian's Chromium through playwright-core (test/support/browser.ts).
ensure_chromium() {
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && return
  apt_install chromium
}

ensure_node
if [ "${PROPEL_SKIP_SERVICES:-}" != 1 ]; then
  ensure_postgres
  ensure_redis
fi
ensure_dependencies
case " $* " in
  *" check "* | *vitest*) [ "${PROPEL_SKIP_BROWSER:-}" = 1 ] || ensure_chromium ;;
esac
exec "$@"
