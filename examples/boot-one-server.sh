#!/usr/bin/env bash
# Runbook 1 (shell twin of boot-one-server.ps1): make a node-specific ISO from a base ISO and
# boot one server from it through its BMC (Redfish virtual media).
#
#   BASE_ISO=ipa.iso BMC=https://10.1.0.11 BMC_USER=root IRONIC_BMC_PASSWORD_FILE=bmc.pw \
#   NODE=rack1-n01 LISTEN=10.0.0.5:6385 bash examples/boot-one-server.sh
#
# BASE_ISO      any bootable ISO (IPA, a distribution installer …)
# BMC           the server's BMC; BMC_USER and a password file (never the password in argv)
# NODE          the name in the image URL; LISTEN an address the BMC can reach
# PARAMS        kernel parameters to add (default: "ipa-debug=1 console=ttyS0,115200")
# WORK          where the node ISO and the server's files go (default: ./boot-one-server)
# KEEP_SERVING  1 (default): keep serving the ISO until Ctrl+C; 0: stop once the BMC fetched it
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${BASE_ISO:?set BASE_ISO to the base ISO}" "${BMC:?set BMC to the BMC URL}"
: "${IRONIC_BMC_PASSWORD_FILE:?set IRONIC_BMC_PASSWORD_FILE to a file holding the BMC password}"
BMC_USER=${BMC_USER:-admin}
NODE=${NODE:-node1}
LISTEN=${LISTEN:-127.0.0.1:6385}
PARAMS=${PARAMS:-ipa-debug=1 console=ttyS0,115200}
WORK=${WORK:-./boot-one-server}
KEEP_SERVING=${KEEP_SERVING:-1}
BMC_FLAGS=(--bmc "$BMC" --username "$BMC_USER" --password-file "$IRONIC_BMC_PASSWORD_FILE")
[[ ${BMC_INSECURE:-0} == 1 ]] && BMC_FLAGS+=(--insecure)

log "The base ISO"
ironic iso show "$BASE_ISO"

log "The node's ISO: $PARAMS appended to every boot entry"
mkdir -p "$WORK/images/$NODE"
append=(); for p in $PARAMS; do append+=(--append "$p"); done
ironic iso inject "$BASE_ISO" --output "$WORK/images/$NODE/boot.iso" "${append[@]}"

log "Enroll the node, so the boot server's status page follows it"
if ! ironic node show "$NODE" --store "$WORK/ironic.db" >/dev/null 2>&1; then
  ironic node create --name "$NODE" --driver redfish --bmc "$BMC" --username "$BMC_USER" --password-file "$IRONIC_BMC_PASSWORD_FILE" --store "$WORK/ironic.db" >/dev/null
fi

log "Serve it over HTTP at http://$LISTEN/v1/images/$NODE/boot.iso"
cat >"$WORK/ironic.conf" <<CONF
[boot_server]
images_directory = $(cd "$WORK" && pwd)/images
CONF
start_boot_server "$WORK/serve.log" --listen "$LISTEN" --name "${SERVER_NAME:-boot-one}" --config "$WORK/ironic.conf" --store "$WORK/ironic.db"
server=$BOOT_SERVER_PID
trap 'kill "$server" 2>/dev/null || true' EXIT

log "Insert it into the BMC's virtual CD, boot once from it, power on"
ironic vmedia insert "${BMC_FLAGS[@]}" --image "http://$LISTEN/v1/images/$NODE/boot.iso" --boot-once --power-on
ironic vmedia show "${BMC_FLAGS[@]}"
ironic power show "${BMC_FLAGS[@]}"

log "Waiting for the BMC to read the ISO (status page: http://$LISTEN/)"
wait_image_fetched "$LISTEN" "$NODE" 180
if [[ $KEEP_SERVING == 1 ]]; then
  log "Serving until Ctrl+C"
  wait "$server"
fi
