#!/usr/bin/env bash
# Boot configuration API benchmark. Starts one boot server owning N nodes (SQLite) and a second
# server that owns none (its own conductor group) and so forwards every request; runs wrk
# rotating over the MACs at C connections, owner-local and through forwarding, and nginx serving
# a static file of the same size on the same machine. Prints requests/s as ratios against
# nginx, p99 latency, non-2xx answers and socket errors, the owner's RSS, and PASS or MISS per
# target of issue 5:
#   owner-local >= 0.6x nginx, forwarded >= 0.3x nginx, p99 <= 10 ms, owner RSS <= 200 MiB.
#
# The servers keep a MAC's lookup and rendered script for [boot_server]boot_cache_ttl (2 s by
# default). With wrk rotating over the MACs much faster than that, the cached figures measure
# mostly the cache; the run with the cache off ([boot_server]boot_cache_ttl = 0) measures a
# store lookup and a render per request. --cache both (the default) runs both; the targets are
# judged on the default configuration (cache on), and the cache-off rows are printed beside them
# so that the cost of an uncached lookup is in the same report.
#
# Each server pair is warmed up for --warm-up seconds (default 15) before it is measured: on a
# 2-core machine under full load, tiered JIT compilation of the forwarding path takes several
# seconds to finish, and a short warm-up measures the JIT, not the server.
#
# Exit status: 0 when every target is met and no answer was an error; 1 when a target is missed
# or wrk saw a non-2xx answer or a socket error (either makes the figures meaningless); 2 usage.
# usage: bench/boot-api/run.sh [--nodes N] [--duration S] [--connections C] [--cache on|off|both] [--warm-up S]
# needs: dotnet, wrk, nginx (nginx-light), curl
set -euo pipefail
nodes=10000; duration=10; connections=64; cache=both; warmup=15
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) nodes=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    --connections) connections=$2; shift 2;;
    --cache) cache=$2; shift 2;;
    --warm-up) warmup=$2; shift 2;;
    *) echo "usage: $0 [--nodes N] [--duration S] [--connections C] [--cache on|off|both] [--warm-up S]" >&2; exit 2;;
  esac
done
case "$cache" in on) modes=(on);; off) modes=(off);; both) modes=(on off);; *) echo "--cache takes on, off or both" >&2; exit 2;; esac
for tool in wrk nginx curl dotnet; do command -v $tool >/dev/null || { echo "install $tool" >&2; exit 1; }; done
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Targets (issue 5).
min_owner_ratio=0.6; min_forwarded_ratio=0.3; max_p99_ms=10; max_rss_mib=200

echo "building…" >&2
dotnet build "$repo/src/Ironic.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$here/Seed" -c Release -v q -nologo >/dev/null
ironic="$repo/src/Ironic.Cli/bin/Release/net8.0/ironic"
store="$work/ironic.db"; macs="$work/macs.txt"
dotnet "$here/Seed/bin/Release/net10.0/Seed.dll" "$store" "$nodes" "$macs" >&2

port_a=$((20000 + RANDOM % 10000)); port_b=$((port_a + 1)); port_n=$((port_a + 2))
export IRONIC_BOOT_SHARED_SECRET=bench-secret
wait_up() { for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done; echo "server on port $1 did not start" >&2; exit 1; }
first=$(head -1 "$macs")

# Starts the owner and the forwarding front with the lookup cache on (the default TTL) or off.
start_servers() { # on|off
  local ttl=""
  [[ "$1" == off ]] && ttl="boot_cache_ttl = 0"
  printf '[boot_server]\n%s\n' "$ttl" >"$work/owner-$1.conf"
  printf '[conductor]\nconductor_group = front\n[boot_server]\n%s\n' "$ttl" >"$work/front-$1.conf"
  # The owner first, so that the front server finds it on the ring when it starts.
  "$ironic" serve --listen 127.0.0.1:$port_a --store "$store" --name owner --config "$work/owner-$1.conf" >"$work/a-$1.log" 2>&1 & pids+=($!); pid_a=$!
  wait_up $port_a
  "$ironic" serve --listen 127.0.0.1:$port_b --store "$store" --name front --config "$work/front-$1.conf" >"$work/b-$1.log" 2>&1 & pids+=($!); pid_b=$!
  wait_up $port_b
  curl -fs "http://127.0.0.1:$port_a/v1/boot/$first/boot.ipxe" >"$work/sample.ipxe"
  curl -fs "http://127.0.0.1:$port_b/v1/boot/$first/boot.ipxe" | cmp - "$work/sample.ipxe"
}
# SIGTERM: both leave the ring cleanly, so the next pair starts on an empty one.
stop_servers() { kill -TERM "$pid_a" "$pid_b"; wait "$pid_a" "$pid_b" 2>/dev/null || true; }

start_servers "${modes[0]}"
size=$(stat -c %s "$work/sample.ipxe")
mkdir -p "$work/www/v1/boot/x"; head -c "$size" /dev/urandom > "$work/www/v1/boot/x/boot.ipxe"
chmod -R a+rX "$work"  # nginx workers run as an unprivileged user
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  server {
    listen 127.0.0.1:$port_n;
    root $work/www;
    location / { try_files /v1/boot/x/boot.ipxe =404; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)
ok=""; for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port_n/v1/boot/$first/boot.ipxe" >/dev/null && { ok=1; break; }; sleep 0.1; done
[[ -n "$ok" ]] || { echo "nginx does not serve the file:"; cat "$work/nginx-error.log"; exit 1; } >&2

export MACS_FILE=$macs
run() { # name url -> "rps p99_ms non2xx socket_errors requests"
  wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$here/rotate-macs.lua" "$2" >"$work/$1.wrk" 2>&1
  local rps p99 non2xx sockerr total
  rps=$(awk '/^Requests\/sec/{print $2}' "$work/$1.wrk")
  p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$work/$1.wrk")
  non2xx=$(awk '/Non-2xx or 3xx responses/{print $NF}' "$work/$1.wrk"); non2xx=${non2xx:-0}
  # "Socket errors: connect 0, read 0, write 0, timeout 0"
  sockerr=$(awk '/Socket errors/{gsub(",",""); print $4+$6+$8+$10}' "$work/$1.wrk"); sockerr=${sockerr:-0}
  total=$(awk '/requests in/{print $1}' "$work/$1.wrk")
  echo "${rps:-0} ${p99:-0} $non2xx $sockerr ${total:-0}"
}
warm_up() { # JIT, connection pools: not counted
  wrk -t2 -c"$connections" -d"${warmup}s" -s "$here/rotate-macs.lua" "http://127.0.0.1:$port_a" >/dev/null 2>&1
  wrk -t2 -c"$connections" -d"${warmup}s" -s "$here/rotate-macs.lua" "http://127.0.0.1:$port_b" >/dev/null 2>&1
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a/b : 0)}'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a >= b)}'; }
at_most() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a <= b)}'; }
verdicts=(); missed=0; errors=0
judge() { # label ok(0/1) detail
  if [[ "$2" == 1 ]]; then verdicts+=("PASS  $1 ($3)"); else verdicts+=("MISS  $1 ($3)"); missed=$((missed + 1)); fi
}
rows=()
row() { # label rps ratio p99 non2xx sockerr total
  rows+=("$(printf '%-30s %12.0f %9s %9s %9s %9s %11s' "$1" "$2" "$3" "$4" "$5" "$6" "$7")")
  if (( $5 > 0 || $6 > 0 )); then errors=$((errors + 1)); fi
}

read -r n_rps n_p99 n_bad n_sock n_total < <(run nginx "http://127.0.0.1:$port_n")
row "nginx static file" "$n_rps" "1.00" "$n_p99" "$n_bad" "$n_sock" "$n_total"
rss=()
for mode in "${modes[@]}"; do
  [[ "$mode" == "${modes[0]}" ]] || { stop_servers; start_servers "$mode"; }
  warm_up
  label="cache $mode"; [[ "$mode" == on ]] && label="cache on (TTL 2 s)"
  read -r a_rps a_p99 a_bad a_sock a_total < <(run "owner-$mode" "http://127.0.0.1:$port_a")
  hwm=$(awk '/VmHWM/{print int($2/1024)}' /proc/$pid_a/status)
  read -r b_rps b_p99 b_bad b_sock b_total < <(run "forwarded-$mode" "http://127.0.0.1:$port_b")
  a_ratio=$(ratio "$a_rps" "$n_rps"); b_ratio=$(ratio "$b_rps" "$n_rps")
  row "owner-local, $label" "$a_rps" "$a_ratio" "$a_p99" "$a_bad" "$a_sock" "$a_total"
  row "forwarded, $label" "$b_rps" "$b_ratio" "$b_p99" "$b_bad" "$b_sock" "$b_total"
  rss+=("owner RSS peak, $label: $hwm MiB (with $nodes nodes)")
  if [[ "$mode" == off ]]; then
    verdicts+=("info  cache off: owner-local ${a_ratio}x nginx, p99 ${a_p99} ms; forwarded ${b_ratio}x, p99 ${b_p99} ms; RSS ${hwm} MiB (not judged)")
    continue
  fi
  at_least "$a_ratio" $min_owner_ratio && ok=1 || ok=0; judge "owner-local >= ${min_owner_ratio}x nginx, $label" $ok "${a_ratio}x"
  at_least "$b_ratio" $min_forwarded_ratio && ok=1 || ok=0; judge "forwarded >= ${min_forwarded_ratio}x nginx, $label" $ok "${b_ratio}x"
  at_most "$a_p99" $max_p99_ms && ok=1 || ok=0; judge "owner-local p99 <= ${max_p99_ms} ms, $label" $ok "${a_p99} ms"
  at_most "$b_p99" $max_p99_ms && ok=1 || ok=0; judge "forwarded p99 <= ${max_p99_ms} ms, $label" $ok "${b_p99} ms"
  at_most "$hwm" $max_rss_mib && ok=1 || ok=0; judge "owner RSS <= ${max_rss_mib} MiB, $label" $ok "${hwm} MiB peak"
done

printf '\nboot API benchmark: %d nodes, %d connections, %d s per run, response %d bytes\n' "$nodes" "$connections" "$duration" "$size"
printf '%-30s %12s %9s %9s %9s %9s %11s\n' run "requests/s" "vs nginx" "p99 ms" "non-2xx" "sock err" "requests"
printf '%s\n' "${rows[@]}"
printf '%s\n' "${rss[@]}"
printf '\ntargets (issue 5), judged on the default configuration (cache on):\n'
printf '  %s\n' "${verdicts[@]}"
if (( errors > 0 )); then
  printf '\nresult: ERROR — %d run(s) saw non-2xx answers or socket errors; the figures above do not count:\n' "$errors"
  grep -H -E "Non-2xx|Socket errors" "$work"/*.wrk | sed "s|$work/||" || true
  exit 1
fi
if (( missed > 0 )); then
  printf '\nresult: MISS — %d of the targets missed\n' "$missed"
  exit 1
fi
printf '\nresult: PASS — every target met, no errors\n'
