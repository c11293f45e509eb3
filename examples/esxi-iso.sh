#!/usr/bin/env bash
# Runbook 4 (shell twin of esxi-iso.ps1): build an ESXi scripted-install ISO: put a kickstart
# file on the ISO as /KS.CFG and add ks=cdrom:/KS.CFG to the kernelopt of both boot.cfg files
# (BIOS and UEFI). The base ISO is only read; the result is a new ISO.
#
#   ESXI_ISO=VMware-VMvisor-Installer-8.0U2.iso KS=ks.cfg OUT=esxi-ks.iso bash examples/esxi-iso.sh
#
# KS defaults to a minimal kickstart (root password from ESXI_ROOT_PASSWORD, default "VMware1!").
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${ESXI_ISO:?set ESXI_ISO to the ESXi installer ISO}"
OUT=${OUT:-./esxi-ks.iso}
if [[ -z ${KS:-} ]]; then
  KS=$(mktemp)
  trap 'rm -f "$KS"' EXIT
  cat >"$KS" <<KICKSTART
vmaccepteula
rootpw ${ESXI_ROOT_PASSWORD:-VMware1!}
install --firstdisk --overwritevmfs
network --bootproto=dhcp --device=vmnic0
reboot
KICKSTART
fi

log "The installer's boot entries"
ironic iso show "$ESXI_ISO"

log "Inject $KS as /KS.CFG and boot with ks=cdrom:/KS.CFG"
ironic iso inject "$ESXI_ISO" --output "$OUT" --inject-file "/KS.CFG=$KS" --append ks=cdrom:/KS.CFG

log "The result"
ironic iso show "$OUT"
