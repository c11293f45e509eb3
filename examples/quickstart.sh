#!/usr/bin/env bash
# The README's first command: set up a fresh Debian machine and run the main job once, on this
# machine alone. It
#   1. installs the Debian packages it needs (apt-get; as root or through sudo) and builds,
#   2. takes a bootable base ISO (BASE_ISO=your.iso, or a small test ISO built by
#      ../shared/tools/make-test-iso.sh),
#   3. starts a boot server and an emulated BMC (tests/emulator, iLO-shaped Redfish),
#   4. enrolls a node and ramdisk-deploys the base ISO to it with kernel parameters injected:
#      cache, overlay, publish, virtual media insert, boot once from CD, power on, active,
#   5. waits until the BMC has fetched the node's ISO, fetches the same bytes, shows their boot
#      entries and boots them under qemu to show the parameters reach the kernel,
#   6. keeps the boot server running (status page at http://$LISTEN/) until Ctrl+C.
#
#   bash examples/quickstart.sh
#
# SETUP=0       skip apt-get and the build (CI has done both)
# BOOT=0        skip the qemu boot; FIRMWARE bios (default) or uefi
# KEEP_SERVING  1 (default): serve until Ctrl+C; 0: stop at the end
# LISTEN        the boot server (default 127.0.0.1:6385); WORK where files go (default ./quickstart)
# PARAMS        kernel parameters to inject (default "ironic.quickstart=1 console=ttyS0")
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/.." && pwd)
SETUP=${SETUP:-1}
BOOT=${BOOT:-1}
FIRMWARE=${FIRMWARE:-bios}
KEEP_SERVING=${KEEP_SERVING:-1}
LISTEN=${LISTEN:-127.0.0.1:6385}
WORK=${WORK:-./quickstart}
PARAMS=${PARAMS:-ironic.quickstart=1 console=ttyS0}
NODE=quickstart-n01

cli_dll=$root/src/Ironic.Cli/bin/Release/net8.0/ironic.dll
emulator_dll=$root/tests/emulator/Ironic.BmcEmulator/bin/Release/net10.0/Ironic.BmcEmulator.dll
export IRONIC=${IRONIC:-dotnet $cli_dll}
source "$here/lib.sh"

if [[ $SETUP == 1 ]]; then
  log "Debian packages (the test ISO's tools, curl, qemu and OVMF for the boot)"
  packages=(curl python3 xorriso isolinux syslinux-common grub-efi-amd64-bin mtools dosfstools busybox-static cpio)
  [[ $BOOT == 1 ]] && packages+=(qemu-system-x86 ovmf)
  missing=(); for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if (( ${#missing[@]} )); then
    as_root=(); [[ $(id -u) -ne 0 ]] && as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      die "apt-get install ${missing[*]} failed: install them and run again"
  fi
  log "Build (the ironic command line and the BMC emulator)"
  dotnet build "$root/src/Ironic.Cli" -c Release -nologo -v q >/dev/null
  dotnet build "$root/tests/emulator/Ironic.BmcEmulator" -c Release -nologo -v q >/dev/null
fi
[[ -f $cli_dll && -f $emulator_dll ]] || die "not built: run with SETUP=1, or dotnet build -c Release"

mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
export IRONIC_STORE=$WORK/ironic.db IRONIC_SECRET_KEY_FILE=$WORK/secret.key
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

if [[ -z ${BASE_ISO:-} ]]; then
  BASE_ISO=$WORK/base.iso
  if [[ ! -f $BASE_ISO ]]; then
    log "A small bootable base ISO (BIOS ISOLINUX + UEFI GRUB, isohybrid), like a distribution's"
    maker=${MAKE_TEST_ISO:-$root/../shared/tools/make-test-iso.sh}
    [[ -f $maker ]] || die "no base ISO: set BASE_ISO=/path/to/your.iso (make-test-iso.sh is not at $maker)"
    bash "$maker" "$BASE_ISO.part" --layout both >"$WORK/make-test-iso.log" 2>&1 || { cat "$WORK/make-test-iso.log" >&2; die "make-test-iso.sh failed"; }
    mv "$BASE_ISO.part" "$BASE_ISO"
  fi
fi
ironic iso show "$BASE_ISO"

log "An emulated BMC (iLO-shaped Redfish: sessions, If-Match, {} eject; it downloads what it is given)"
printf 'quickstart-bmc\n' >"$WORK/bmc.pw"; chmod 600 "$WORK/bmc.pw"
bmc_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bmc=http://127.0.0.1:$bmc_port
dotnet "$emulator_dll" --listen "127.0.0.1:$bmc_port" --profile ilo --username admin --password-file "$WORK/bmc.pw" >"$WORK/bmc.log" 2>&1 &
pids+=($!)
wait_http "$bmc/redfish/v1" 60 || { cat "$WORK/bmc.log" >&2; exit 1; }
echo "BMC at $bmc"

log "The boot server on $LISTEN (publishes node ISOs, answers /v1/boot, status page at /)"
start_boot_server "$WORK/serve.log" --listen "$LISTEN" --name quickstart --store "$IRONIC_STORE"
pids+=("$BOOT_SERVER_PID")

log "Enroll $NODE (BMC credentials are stored encrypted)"
ironic node show "$NODE" >/dev/null 2>&1 && ironic node delete "$NODE" >/dev/null
ironic node create --name "$NODE" --driver redfish --bmc "$bmc" --username admin --password-file "$WORK/bmc.pw" --mac 52:54:00:51:00:01

log "Deploy: cache the ISO, inject \"$PARAMS\" into every boot entry, hand it to the BMC, boot"
deploy_args=(--boot-iso "$BASE_ISO" --wait)
for p in $PARAMS; do deploy_args+=(--kernel-param "$p"); done
ironic deploy start "$NODE" "${deploy_args[@]}"
ironic node show "$NODE"
BMC_FLAGS=(--bmc "$bmc" --username admin --password-file "$WORK/bmc.pw")
ironic vmedia show "${BMC_FLAGS[@]}"
ironic power show "${BMC_FLAGS[@]}"

log "Waiting for the BMC to download its ISO"
wait_image_fetched "$LISTEN" "$NODE" 120
url=http://$LISTEN/v1/images/$NODE/boot.iso
curl -fsS -o "$WORK/$NODE.iso" "$url"
echo "$url: $(stat -c %s "$WORK/$NODE.iso") bytes, composed on the fly from the cached base and the node's KiB-sized overlay"
ironic iso show "$WORK/$NODE.iso"

if [[ $BOOT == 1 ]]; then
  log "Boot those bytes under qemu ($FIRMWARE): the kernel must see the injected parameters"
  booter=${BOOT_ISO_SH:-$root/../shared/tools/boot-iso.sh}
  [[ -f $booter ]] || die "boot-iso.sh is not at $booter: set BOOT_ISO_SH, or BOOT=0"
  expects=(); for p in $PARAMS; do expects+=(--expect "$p"); done
  bash "$booter" "$WORK/$NODE.iso" --firmware "$FIRMWARE" "${expects[@]}" || die "the node's ISO did not boot with its parameters"
fi

echo "ok: $NODE deployed; status page http://$LISTEN/"
if [[ $KEEP_SERVING == 1 ]]; then
  log "Serving until Ctrl+C (status page: http://$LISTEN/, boot config: http://$LISTEN/v1/boot/52:54:00:51:00:01/boot.ipxe)"
  wait "${pids[-1]}"
fi
