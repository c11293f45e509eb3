#!/usr/bin/env bash
# Boot configuration API benchmark. Starts one boot server owning 10,000 nodes (SQLite) and a
# second server that owns none (its own conductor group) and so forwards every request; runs
# wrk rotating over the MACs at 64 connections, owner-local and through forwarding, and nginx
# serving a static file of the same size on the same machine. Prints requests/s as ratios
# against nginx, p99 latency and the owner's RSS.
# usage: bench/boot-api/run.sh [--nodes N] [--duration S] [--connections C]
# needs: dotnet, wrk, nginx (nginx-light), curl
set -euo pipefail
nodes=10000; duration=10; connections=64
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) nodes=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    --connections) connections=$2; shift 2;;
    *) echo "usage: $0 [--nodes N] [--duration S] [--connections C]" >&2; exit 2;;
  esac
done
for tool in wrk nginx curl dotnet; do command -v $tool >/dev/null || { echo "install $tool" >&2; exit 1; }; done
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "building…" >&2
dotnet build "$repo/src/Ironic.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$here/Seed" -c Release -v q -nologo >/dev/null
ironic="$repo/src/Ironic.Cli/bin/Release/net8.0/ironic"
store="$work/ironic.db"; macs="$work/macs.txt"
dotnet "$here/Seed/bin/Release/net10.0/Seed.dll" "$store" "$nodes" "$macs" >&2

port_a=$((20000 + RANDOM % 10000)); port_b=$((port_a + 1)); port_n=$((port_a + 2))
export IRONIC_BOOT_SHARED_SECRET=bench-secret
cat > "$work/front.conf" <<CONF
[conductor]
conductor_group = front
CONF
wait_up() { for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done; echo "server on port $1 did not start" >&2; exit 1; }
# The owner first, so that the front server finds it on the ring when it starts.
"$ironic" serve --listen 127.0.0.1:$port_a --store "$store" --name owner >"$work/a.log" 2>&1 & pids+=($!); pid_a=$!
wait_up $port_a
"$ironic" serve --listen 127.0.0.1:$port_b --store "$store" --name front --config "$work/front.conf" >"$work/b.log" 2>&1 & pids+=($!)
wait_up $port_b
first=$(head -1 "$macs")
curl -fs "http://127.0.0.1:$port_a/v1/boot/$first/boot.ipxe" >"$work/sample.ipxe"
curl -fs "http://127.0.0.1:$port_b/v1/boot/$first/boot.ipxe" | cmp - "$work/sample.ipxe"
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
run() { # name url -> "rps p99_ms"
  wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$here/rotate-macs.lua" "$2" >"$work/$1.wrk" 2>&1
  local rps p99 non2xx
  rps=$(awk '/^Requests\/sec/{print $2}' "$work/$1.wrk")
  p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$work/$1.wrk")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$work/$1.wrk"); non2xx=${non2xx:-0}
  echo "$rps $p99 $non2xx"
}
# warm-up (JIT, connection pools), not counted
wrk -t2 -c"$connections" -d3s -s "$here/rotate-macs.lua" "http://127.0.0.1:$port_a" >/dev/null 2>&1
wrk -t2 -c"$connections" -d3s -s "$here/rotate-macs.lua" "http://127.0.0.1:$port_b" >/dev/null 2>&1

read -r n_rps n_p99 n_bad < <(run nginx "http://127.0.0.1:$port_n")
read -r a_rps a_p99 a_bad < <(run owner "http://127.0.0.1:$port_a")
rss_a=$(awk '/VmRSS/{print int($2/1024)}' /proc/$pid_a/status); hwm_a=$(awk '/VmHWM/{print int($2/1024)}' /proc/$pid_a/status)
read -r b_rps b_p99 b_bad < <(run forwarded "http://127.0.0.1:$port_b")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf '\nboot API benchmark: %d nodes, %d connections, %d s per run, response %d bytes\n' "$nodes" "$connections" "$duration" "$size"
printf '%-22s %12s %10s %10s %10s\n' run "requests/s" "vs nginx" "p99 ms" "non-2xx"
printf '%-22s %12.0f %10s %10s %10s\n' "nginx static file" "$n_rps" "1.00" "$n_p99" "$n_bad"
printf '%-22s %12.0f %10s %10s %10s\n' "owner-local" "$a_rps" "$(ratio "$a_rps" "$n_rps")" "$a_p99" "$a_bad"
printf '%-22s %12.0f %10s %10s %10s\n' "forwarded" "$b_rps" "$(ratio "$b_rps" "$n_rps")" "$b_p99" "$b_bad"
printf 'owner RSS: %d MiB now, %d MiB peak (with %d nodes)\n' "$rss_a" "$hwm_a" "$nodes"
printf 'targets: owner-local >= 0.6x, forwarded >= 0.3x, p99 <= 10 ms, RSS <= 200 MiB\n'
