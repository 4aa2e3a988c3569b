#!/usr/bin/env bash
# The members page side by side with a stock Django admin (../shared/anchors/django-admin), in one
# run, on the same machine, the same number of members and the same wrk flags, on SQLite and on
# PostgreSQL (a private cluster). Prints a markdown table with the ratios (BENCHMARKS.md).
# Not part of CI.
#   BENCH_MEMBERS (10000)  BENCH_SECONDS (10)  BENCH_CONNECTIONS (16)  BENCH_BACKENDS ("sqlite postgres")
#   DJANGO_ANCHOR (the kit's directory; found next to the project or its origin when unset)
#   BENCH_SKIP_DJANGO=1 measures Gatehouse alone   BENCH_SITE=0 serves the last site built
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
. "$here/env.sh"
members="${BENCH_MEMBERS:-10000}"; secs="${BENCH_SECONDS:-10}"; conns="${BENCH_CONNECTIONS:-16}"
backends="${BENCH_BACKENDS:-sqlite postgres}"
skip_django="${BENCH_SKIP_DJANGO:-}"
# The same flags as the kit's run.sh (THREADS, CONNS, WRK_TIMEOUT), and its 2 s warm-up.
WRK=(wrk -t2 -c"$conns" -d"${secs}s" --latency --timeout 10s)

anchor="${DJANGO_ANCHOR:-}"
if [ -z "$anchor" ] && [ -z "$skip_django" ]; then
  origin="$(git -C "$root" config --get remote.origin.url 2>/dev/null || true)"
  for d in "$root/../shared/anchors/django-admin" "${origin:+$origin/../shared/anchors/django-admin}"; do
    [ -n "$d" ] && [ -f "$d/run.sh" ] && { anchor="$(cd "$d" && pwd)"; break; }
  done
  [ -n "$anchor" ] || { echo "the Django admin kit was not found: set DJANGO_ANCHOR=/path/to/anchors/django-admin" >&2; exit 1; }
fi

bash "$here/setup-tools.sh" test >&2
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build -q --release -p gatehouse_server --bin gatehouse >&2
# The bundle is not measured here (only its CSS, as the static ceiling): BENCH_SITE=0 serves the
# last one built instead of building it again.
if [ "${BENCH_SITE:-1}" != 0 ] || [ ! -f "$root/target/site/pkg/gatehouse.css" ]; then
  cargo run -q -p xtask -- site --release 2>&1 | grep '^\[site\]' >&2 || true
fi
bin="$CARGO_TARGET_DIR/release/gatehouse"

work="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-vs-django.XXXXXX")"
. "$here/bench-lib.sh"
pgport=$(free_port)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; bash "$here/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
pgbase=""
if [[ " $backends " == *" postgres "* ]]; then pgbase=$(bash "$here/pg.sh" start "$work/pg" "$pgport"); fi

# wrk's latency token (812.00us, 12.34ms, 1.02s) in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN{n=v; sub(/[a-z]+$/,"",n); u=v; sub(/^[0-9.]+/,"",u); f=(u=="us")?0.001:(u=="ms")?1:(u=="s")?1000:(u=="m")?60000:1; printf "%.1f", n*f}'; }
# Requests spaced so that all connections together ask at most $1 per second (half of the peak).
cat >"$work/paced.lua" <<'EOF'
local d = tonumber(os.getenv("PACE_MS") or "0")
function delay() return d end
EOF

declare -A RPS P99 HALF RSS
measure() { # $1 key $2 url $3 cookie [$4 pace: requests/s for all connections]
  local out hdr=(); [ -n "$3" ] && hdr=(-H "Cookie: $3")
  "${WRK[@]}" -d2s "${hdr[@]}" "$2" >/dev/null 2>&1 || true
  if [ -n "${4:-}" ]; then
    out=$(PACE_MS=$(awk -v c="$conns" -v r="$4" 'BEGIN{printf "%d", 1000*c/r}') "${WRK[@]}" -s "$work/paced.lua" "${hdr[@]}" "$2")
    HALF[$1]="$(awk '/Requests\/sec/{printf "%.0f", $2}' <<<"$out") req/s, p99 $(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")") ms"
  else
    out=$("${WRK[@]}" "${hdr[@]}" "$2")
    RPS[$1]=$(awk '/Requests\/sec/{printf "%.1f", $2}' <<<"$out")
    P99[$1]=$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")
    local bad; bad=$(awk '/Non-2xx/{print $NF}' <<<"$out")
    [ -z "$bad" ] || echo "WARNING: $1: $bad non-2xx responses" >&2
    echo "$1 req/s=${RPS[$1]} p50=$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")") p99=${P99[$1]}" >&2
  fi
}

# ---- the Django admin: its own run.sh, on a copy of the kit ------------------------------------
if [ -z "$skip_django" ]; then
  cp -r "$anchor" "$work/django"
  (cd "$work/django" && ./setup.sh >&2)
  for backend in $backends; do
    if [ "$backend" = postgres ]; then
      psql "$pgbase" -qc "CREATE DATABASE gh_anchor" >/dev/null
      export DATABASE_URL="${pgbase%/postgres}/gh_anchor"
    else
      unset DATABASE_URL
    fi
    (cd "$work/django" && venv/bin/python manage.py migrate -v0 && venv/bin/python manage.py seed --members "$members" >&2)
    out=$(cd "$work/django" && PORT=$(free_port) DURATION="$secs" CONNS="$conns" THREADS=2 WARMUP=2 ./run.sh)
    echo "$out" >&2
    for label in first-page search deep-page login-page; do
      line=$(grep "^django-admin $label " <<<"$out")
      RPS[django-$backend-$label]=$(sed -n 's/.*req\/s=\([0-9.]*\).*/\1/p' <<<"$line")
      P99[django-$backend-$label]=$(sed -n 's/.*p99=\([0-9.]*\).*/\1/p' <<<"$line")
    done
  done
  unset DATABASE_URL
fi

# ---- Gatehouse: the same pages (50 rows, as the admin shows) ----------------------------------
# Search: the kit's "son" matches 12.9 % of its members; "ann" matches 15.4 % of the demo's names
# (Anna, Hanna, Hoffmann, Zimmermann, Hartmann, Neumann). Deep page: the kit's active members,
# page 37 of 50 rows (offset 1 800); the same here. Last page: the deepest page of the whole list.
last_page=$(( (members + 49) / 50 ))
declare -A URL=(
  [first-page]="/o/acme/members?per_page=50"
  [search]="/o/acme/members?q=ann&per_page=50"
  [deep-page]="/o/acme/members?status=active&per_page=50&page=37"
  [last-page]="/o/acme/members?per_page=50&page=$last_page"
  [dashboard]="/o/acme/dashboard"
  [static]="/pkg/gatehouse.css"
)
for backend in $backends; do
  if [ "$backend" = sqlite ]; then url="$work/bench.db"; else psql "$pgbase" -qc "CREATE DATABASE gatehouse_bench" >/dev/null; url="${pgbase%/postgres}/gatehouse_bench"; fi
  serve_seeded "$url" "$members" "$backend"
  b="$base"
  cookie=$(sign_in "$b")
  for label in first-page search deep-page last-page dashboard static; do
    # The page must be the real list (not a sign-in redirect) with 50 rows.
    body=$(curl -fsS -H "Cookie: $cookie" "$b${URL[$label]}")
    if [ "$label" != static ] && [ "$label" != dashboard ]; then
      rows=$(grep -o '<tr>' <<<"$body" | wc -l)
      [ "$rows" -ge 51 ] || { echo "sanity check failed for $label: $rows table rows" >&2; exit 1; }
    fi
    measure "gatehouse-$backend-$label" "$b${URL[$label]}" "$cookie"
  done
  # Like for like with gunicorn's sync workers, which close every connection.
  WRK+=(-H "Connection: close"); measure "gatehouse-$backend-first-page-close" "$b${URL[first-page]}" "$cookie"; unset 'WRK[-1]'; unset 'WRK[-1]'
  for label in first-page search deep-page last-page; do
    half=$(awk -v r="${RPS[gatehouse-$backend-$label]}" 'BEGIN{printf "%d", r/2}')
    measure "gatehouse-$backend-$label" "$b${URL[$label]}" "$cookie" "$half"
  done
  RSS[$backend]=$(( $(ps -o rss= -p "$pid" | tr -d ' ') / 1024 ))
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done

# ---- the table --------------------------------------------------------------------------------
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN{ if (a=="" || b=="" || b==0) print "—"; else printf "**%.0f×**", a/b }'; }
cell() { [ -n "${RPS[$1]:-}" ] && echo "${RPS[$1]} req/s, p99 ${P99[$1]} ms" || echo "—"; }
echo
echo "$(date -u +%F), $members members, \`${WRK[*]}\`, $(nproc) cores; Gatehouse keeps connections alive, gunicorn closes them"
echo
echo "| page | backend | Django admin | Gatehouse | ratio | Gatehouse at half its peak |"
echo "|---|---|---|---|---|---|"
for backend in $backends; do
  for label in first-page search deep-page last-page; do
    d="django-$backend-$label"; g="gatehouse-$backend-$label"
    echo "| $label | $backend | $(cell "$d") | $(cell "$g") | $(ratio "${RPS[$g]:-}" "${RPS[$d]:-}") | ${HALF[$g]:-—} |"
  done
  echo "| first-page, \`Connection: close\` | $backend | $(cell "django-$backend-first-page") | $(cell "gatehouse-$backend-first-page-close") | $(ratio "${RPS[gatehouse-$backend-first-page-close]:-}" "${RPS[django-$backend-first-page]:-}") | |"
  echo "| dashboard | $backend | | $(cell "gatehouse-$backend-dashboard") | | |"
  echo "| ceiling: login page / static file | $backend | $(cell "django-$backend-login-page") | $(cell "gatehouse-$backend-static") | | |"
  echo "| server RSS after the runs | $backend | | ${RSS[$backend]} MiB | | |"
done
