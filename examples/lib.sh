# Helpers the example runbooks share (sourced, not run).
# IRONIC is how to run the `ironic` command line: "ironic" when it is on PATH, or for example
# "dotnet /opt/ironic/ironic.dll".
IRONIC=${IRONIC:-ironic}

ironic() { $IRONIC "$@"; }

log() { printf '== %s\n' "$*" >&2; }

die() { printf 'runbook: %s\n' "$*" >&2; exit 1; }

# wait_http URL [SECONDS]: until URL answers 200.
wait_http() {
  local url=$1 deadline=$((SECONDS + ${2:-60}))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    (( SECONDS < deadline )) || die "$url did not answer within ${2:-60} s"
    sleep 0.5
  done
}

# start_boot_server LOG ARGS...: runs `ironic serve ARGS` in the background, waits for /healthz,
# and sets BOOT_SERVER_PID. The listen address must be in ARGS as --listen HOST:PORT.
# Call it directly, not in $(...): the server must be a child of the runbook's own shell, so
# that the runbook can `wait` for it and its `kill` reaches the server itself.
start_boot_server() {
  local logfile=$1; shift
  local listen="" prev="" a
  for a in "$@"; do [[ $prev == --listen ]] && listen=$a; prev=$a; done
  [[ -n $listen ]] || die "start_boot_server needs --listen HOST:PORT"
  # $IRONIC, not the ironic function: a backgrounded function is a subshell, and $! would be
  # that subshell's pid, leaving the server running after the runbook kills it.
  $IRONIC serve "$@" >"$logfile" 2>&1 &
  BOOT_SERVER_PID=$!
  wait_http "http://$listen/healthz" 60 || { cat "$logfile" >&2; exit 1; }
}

# wait_image_fetched SERVER NODE [SECONDS]: until the boot server's status page shows that the
# node's image was downloaded (the BMC fetched it), so the server may be stopped.
wait_image_fetched() {
  local server=$1 node=$2 deadline=$((SECONDS + ${3:-180}))
  until curl -fsS "http://$server/" 2>/dev/null | grep -F "<tr data-node=\"$node\">" | grep -Eq 'boot\.iso 20[06]'; do
    (( SECONDS < deadline )) || die "node $node did not download its image from $server within ${3:-180} s"
    sleep 1
  done
}
