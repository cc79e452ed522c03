#!/usr/bin/env bash
# Installs what the test suites need beyond cargo. Idempotent: safe to run
# again and again (CI runs it before every test run); it only installs what
# is missing.
#
#   bash scripts/install-test-deps.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
js_dir="$repo_root/tests/js"

log() { printf 'install-test-deps: %s\n' "$*"; }

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# --- System packages (Debian) ----------------------------------------------
# Node.js 20+ and npm run the end-to-end suites in tests/js (official
# socket.io-client). They normally come with the machine.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "node/npm missing: installing Debian's nodejs and npm"
    apt_install nodejs npm
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
    log "Node.js $(node --version) is too old: the suites need Node 20+ (node:test)" >&2
    exit 1
fi

# Redis 7+ (Debian's redis-server) for the scale-out tests: the harness starts its own
# servers on free loopback ports; nothing here starts one.
if ! command -v redis-server >/dev/null 2>&1; then
    log "installing redis-server"
    apt_install redis-server
    # Debian starts a system instance on 6379; the tests do not use it.
    (service redis-server stop >/dev/null 2>&1 || true)
fi

# PostgreSQL (Debian's postgresql: initdb, postgres, pg_ctl, pg_isready under
# /usr/lib/postgresql/<version>/bin) for the scale-out tests on PostgreSQL and the benchmark:
# the harness makes its own cluster in a temporary directory and serves it on a free loopback
# port; nothing here starts one. PostgreSQL refuses to run as root: as root, the harness runs
# it as the system user `postgres`, which the package creates (created here if missing).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "installing postgresql"
    apt_install postgresql
    # Debian starts a system cluster on 5432; the tests do not use it.
    (service postgresql stop >/dev/null 2>&1 || true)
fi
if ! id postgres >/dev/null 2>&1; then
    log "creating the system user postgres"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

# Chromium (Debian's package) for the browser test of the demo's web page
# (tests/js/browser.test.mjs): playwright-core drives /usr/bin/chromium headless and
# never downloads a browser of its own.
if ! command -v chromium >/dev/null 2>&1; then
    log "installing chromium"
    apt_install chromium
fi

# --- JavaScript test dependencies ------------------------------------------
# Same rule as gateway_tests::node::ensure_js_deps: (re)install when
# node_modules is missing or older than the lockfile.
if [ ! -f "$js_dir/node_modules/.package-lock.json" ] \
    || [ "$js_dir/package-lock.json" -nt "$js_dir/node_modules/.package-lock.json" ]; then
    log "npm ci in tests/js"
    (cd "$js_dir" && npm ci --no-audit --no-fund)
else
    log "tests/js/node_modules is up to date"
fi
