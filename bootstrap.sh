#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine:
#   ./bootstrap.sh serve   set up, create the instance with demo data, serve on http://127.0.0.1:5000
#   ./bootstrap.sh test    set up the same way, then run the whole test suite
# Set-up is idempotent: system packages are installed only when missing (as root directly,
# otherwise the exact command to run is printed), the virtualenv lives in .venv.
set -euo pipefail
cd "$(dirname "$0")"

SYSTEM_PACKAGES=(
  python3-venv            # the virtualenv
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint (subset lib = fast font subsetting)
  fonts-noto-cjk          # Chinese text in pages and PDFs
  poppler-utils qpdf      # pdftotext/pdffonts/pdftoppm used by the PDF tests; pdftoppm: uploaded PDFs' thumbnails
  zbar-tools              # zbarimg: the tests read the printed QR codes back
  openssl                 # the notification tests make a self-signed certificate for their TLS mail server
  postgresql              # binaries for the real PostgreSQL server the tests start
  chromium                # the browser the Playwright tests drive
  swift swift-proxy swift-object swift-container swift-account  # the real S3 server the tests start
)

missing_packages() {
  local pkg
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_system_packages() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: $missing" >&2
    echo "Run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing" >&2
    exit 1
  fi
  echo "==> installing system packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  # Debian creates a default cluster and may start it; our tests run their own server.
  command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | while read -r ver name _; do
    pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true
  done
}

setup_python() {
  local python=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    "$python" -m venv .venv
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local stamp=.venv/.dossier-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing Python dependencies"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test]"
    touch "$stamp"
  fi
}

case "${1:-}" in
  serve)
    install_system_packages
    setup_python
    .venv/bin/flask --app wsgi init
    .venv/bin/flask --app wsgi demo
    # Outbox workers, one per busy topic so that indexing never waits behind archival PDFs
    # (rendering, the filed copies' 归档章 included, background work, at a lower CPU priority: it yields the cores to the server
    # and the indexer in a burst); the third takes every other topic and runs the periodic
    # jobs. They stop with the server.
    .venv/bin/flask --app wsgi outbox run --topics search.index --no-jobs --interval 0.25 &
    workers=$!
    nice -n 10 .venv/bin/flask --app wsgi outbox run --topics pdf.archival,archive.filing_stamp --no-jobs &
    workers="$workers $!"
    .venv/bin/flask --app wsgi outbox run --skip-topics search.index,pdf.archival,archive.filing_stamp &
    workers="$workers $!"
    trap 'kill $workers 2>/dev/null || true' EXIT INT TERM
    echo "==> serving on http://127.0.0.1:${PORT:-5000}  (Ctrl-C to stop)"
    .venv/bin/waitress-serve --host 127.0.0.1 --port "${PORT:-5000}" --threads 8 wsgi:app
    ;;
  test)
    install_system_packages
    setup_python
    shift
    exec .venv/bin/python -m pytest "$@"
    ;;
  setup)
    install_system_packages
    setup_python
    ;;
  *)
    echo "usage: $0 serve|test [pytest args]|setup" >&2
    exit 2
    ;;
esac
