#!/usr/bin/env bash
# Runbook 2 (shell twin of deploy-rack.ps1): enroll a rack from a CSV of BMCs and ramdisk-deploy
# a boot ISO to every node through Redfish virtual media.
#
#   CSV=rack1.csv BOOT_ISO=https://images.example/ipa.iso IRONIC_BMC_PASSWORD_FILE=bmc.pw \
#   LISTEN=10.0.0.5:6385 STORE=postgres://ironic@db1/ironic bash examples/deploy-rack.sh
#
# CSV           header "name,bmc,mac,system" (system may be empty: the BMC's only system)
# BOOT_ISO      the ISO every node boots (URL or path); CHECKSUM optionally ALGO:HEX
# BMC_USER      user for every BMC; IRONIC_BMC_PASSWORD_FILE its password
# LISTEN        where the boot server listens (the BMCs fetch the node ISOs from it)
# STORE         the inventory (default: ./rack.db); PARAMS kernel parameters for every node
# PARALLEL      deploys at once (default 8); KEEP_SERVING as in boot-one-server.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${CSV:?set CSV to the CSV of the rack}" "${BOOT_ISO:?set BOOT_ISO}" "${IRONIC_BMC_PASSWORD_FILE:?set IRONIC_BMC_PASSWORD_FILE}"
BMC_USER=${BMC_USER:-admin}
LISTEN=${LISTEN:-127.0.0.1:6385}
STORE=${STORE:-./rack.db}
PARAMS=${PARAMS:-ipa-debug=1}
PARALLEL=${PARALLEL:-8}
KEEP_SERVING=${KEEP_SERVING:-1}
WORK=${WORK:-./deploy-rack}
mkdir -p "$WORK"

log "Boot server on $LISTEN (publishes each node's ISO; owns the nodes on the ring)"
start_boot_server "$WORK/serve.log" --listen "$LISTEN" --name "${SERVER_NAME:-rack-boot}" --store "$STORE"
server=$BOOT_SERVER_PID
trap 'kill "$server" 2>/dev/null || true' EXIT

log "Enroll the nodes of $CSV"
nodes=()
while IFS=, read -r name bmc mac system; do
  [[ $name == name || -z $name ]] && continue
  nodes+=("$name")
  if ironic node show "$name" --store "$STORE" >/dev/null 2>&1; then
    echo "$name: already enrolled"
    continue
  fi
  args=(--name "$name" --driver redfish --bmc "$bmc" --username "$BMC_USER" --password-file "$IRONIC_BMC_PASSWORD_FILE" --mac "$mac" --store "$STORE")
  [[ -n ${system:-} ]] && args+=(--system "$system")
  ironic node create "${args[@]}" >/dev/null
  echo "$name: enrolled ($bmc, $mac)"
done < <(tr -d '\r' <"$CSV")

log "Deploy $BOOT_ISO to ${#nodes[@]} nodes, $PARALLEL at a time"
deploy_args=(--boot-iso "$BOOT_ISO" --store "$STORE")
[[ -n ${CHECKSUM:-} ]] && deploy_args+=(--checksum "$CHECKSUM")
for p in $PARAMS; do deploy_args+=(--kernel-param "$p"); done
failed=0
running=0
for name in "${nodes[@]}"; do
  ironic deploy start "$name" "${deploy_args[@]}" >"$WORK/$name.deploy.log" 2>&1 &
  running=$((running + 1))
  if (( running >= PARALLEL )); then wait -n || failed=$((failed + 1)); running=$((running - 1)); fi
done
while (( running > 0 )); do wait -n || failed=$((failed + 1)); running=$((running - 1)); done

ironic node list --store "$STORE"
(( failed == 0 )) || { for name in "${nodes[@]}"; do ironic deploy show "$name" --store "$STORE" || true; done; die "$failed deploys failed (see $WORK/*.deploy.log)"; }

log "Waiting for every BMC to read its ISO (status page: http://$LISTEN/)"
for name in "${nodes[@]}"; do wait_image_fetched "$LISTEN" "$name" 300; done
if [[ $KEEP_SERVING == 1 ]]; then
  log "Serving the node ISOs until Ctrl+C"
  wait "$server"
fi
