#!/usr/bin/env bash
# Runs the CLI twins of the example runbooks (examples/*.sh) against standalone BMC emulators
# (tests/emulator) and test ISOs, and checks what they did. One case per call:
#   bash tests/examples/run-cli-twins.sh boot-one-server|deploy-rack|two-boot-servers|esxi-iso
# Environment: IRONIC (how to run the CLI), BMC_EMULATOR (how to run the emulator),
# MAKE_TEST_ISO (../shared/tools/make-test-iso.sh), IRONIC_TEST_POSTGRES (two-boot-servers).
# The xunit class Ironic.Cli.Tests.Examples.ExampleRunbookTests sets them and runs each case.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
case_name=${1:?usage: run-cli-twins.sh CASE}
: "${IRONIC:?set IRONIC, e.g. \"dotnet src/Ironic.Cli/bin/Release/net8.0/ironic.dll\"}"
: "${BMC_EMULATOR:?set BMC_EMULATOR, e.g. \"dotnet tests/emulator/Ironic.BmcEmulator/bin/Release/net10.0/Ironic.BmcEmulator.dll\"}"
export IRONIC
for tool in curl python3 xorriso isoinfo; do command -v "$tool" >/dev/null || { echo "install $tool (it is in .ci/packages.txt)"; exit 1; }; done

work=$(mktemp -d "${TMPDIR:-/tmp}/ironic-examples-$case_name-XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL ($case_name): $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

printf 'bmc-secret\n' >"$work/bmc.pw"
export IRONIC_BMC_PASSWORD_FILE="$work/bmc.pw" BMC_USER=admin
export IRONIC_STORE="$work/default.db" IRONIC_SECRET_KEY_FILE="$work/secret.key"
# The runbooks' default image cache (the user's data directory) is this run's own, not the home directory's.
export XDG_DATA_HOME="$work/data"

# start_bmc PROFILE: a standalone emulator; sets BMC_URL. Not for $(...): the emulator's pid
# must reach this shell's pids, or cleanup would leave it running.
start_bmc() {
  local port; port=$(free_port)
  $BMC_EMULATOR --listen "127.0.0.1:$port" --profile "$1" --username admin --password-file "$work/bmc.pw" >"$work/bmc-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:$port/redfish/v1" 2>/dev/null && { BMC_URL=http://127.0.0.1:$port; return; }; sleep 0.5; done
  cat "$work/bmc-$port.log" >&2; fail "the BMC emulator did not start"
}

test_iso() {
  local script=${MAKE_TEST_ISO:-$root/../shared/tools/make-test-iso.sh}
  [[ -f $script ]] || fail "make-test-iso.sh not found at $script; set MAKE_TEST_ISO"
  local cache=${IRONIC_TEST_CACHE:-${TMPDIR:-/tmp}/ironic-test-isos}/examples
  mkdir -p "$cache"
  [[ -f $cache/base.iso ]] || { bash "$script" "$cache/base.iso.$$" --layout both >"$work/make-iso.log" 2>&1 || { cat "$work/make-iso.log" >&2; fail "make-test-iso.sh failed"; }; mv "$cache/base.iso.$$" "$cache/base.iso"; }
  echo "$cache/base.iso"
}

# vmedia_image BMC: the image URL in the BMC's CD slot ("" when none), read through the CLI.
vmedia_image() {
  ironic_json=$($IRONIC vmedia show --bmc "$1" --username admin --password-file "$work/bmc.pw" --json)
  python3 -c 'import json,sys
slots=json.loads(sys.argv[1]); slots=slots if isinstance(slots,list) else slots.get("slots",[slots])
print(next((s.get("image") or "" for s in slots if s.get("inserted")), ""))' "$ironic_json"
}

case $case_name in
boot-one-server)
  start_bmc ilo; bmc=$BMC_URL; port=$(free_port)
  BASE_ISO=$(test_iso) BMC=$bmc NODE=lab-n01 LISTEN=127.0.0.1:$port WORK=$work/run KEEP_SERVING=0 \
    PARAMS="marker=runbook1 console=ttyS0" bash "$root/examples/boot-one-server.sh" >"$work/out.log" 2>&1 || { cat "$work/out.log" >&2; fail "the runbook failed"; }
  image=$(vmedia_image "$bmc")
  [[ $image == "http://127.0.0.1:$port/v1/images/lab-n01/boot.iso" ]] || fail "the BMC holds '$image'"
  isoinfo -R -i "$work/run/images/lab-n01/boot.iso" -x /EFI/BOOT/grub.cfg | grep -q 'marker=runbook1' || fail "grub.cfg of the node ISO lacks the parameter"
  grep -q '"power on"\|On' <($IRONIC power show --bmc "$bmc" --username admin --password-file "$work/bmc.pw") || fail "the server is not powered on"
  ;;
deploy-rack)
  base=$(test_iso); port=$(free_port)
  echo "name,bmc,mac,system" >"$work/rack.csv"
  profiles=(idrac ilo xcc)
  for i in 1 2 3; do start_bmc "${profiles[$((i - 1))]}"; echo "rack9-n0$i,$BMC_URL,52:54:00:99:00:0$i," >>"$work/rack.csv"; done
  # The base over HTTP, with a request log: the three deploy commands run at once, as separate
  # processes on one image cache, and must download it once between them.
  mkdir -p "$work/http"; cp "$base" "$work/http/base.iso"; hp=$(free_port)
  python3 -m http.server "$hp" --bind 127.0.0.1 --directory "$work/http" >"$work/http.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 60); do curl -fsS -o /dev/null "http://127.0.0.1:$hp/" 2>/dev/null && break; sleep 0.5; done
  CSV=$work/rack.csv BOOT_ISO=http://127.0.0.1:$hp/base.iso LISTEN=127.0.0.1:$port STORE=$work/rack.db WORK=$work/run KEEP_SERVING=0 PARALLEL=3 \
    PARAMS="marker=rack9" bash "$root/examples/deploy-rack.sh" >"$work/out.log" 2>&1 || { cat "$work/out.log" >&2; fail "the runbook failed"; }
  gets=$(grep -c '"GET /base.iso HTTP/1.1" 200' "$work/http.log" || true)
  [[ $gets == 1 ]] || { cat "$work/http.log" >&2; fail "the base ISO was downloaded $gets times by three deploys sharing one image cache"; }
  for i in 1 2 3; do
    $IRONIC deploy show "rack9-n0$i" --store "$work/rack.db" --json | grep -q '"provision_state": "active"' || fail "rack9-n0$i is not active"
    bmc=$(grep "^rack9-n0$i," "$work/rack.csv" | cut -d, -f2)
    [[ $(vmedia_image "$bmc") == http://127.0.0.1:$port/v1/images/*/boot.iso ]] || fail "the BMC of rack9-n0$i holds no node ISO"
  done
  ;;
two-boot-servers)
  pg=${IRONIC_TEST_POSTGRES:-postgres://ironic:ironic@127.0.0.1:5432/ironic_test}
  schema=examples_$(date +%s)_$$
  store="$pg?schema=$schema"
  printf 'boot-secret-%s\n' "$RANDOM$RANDOM" >"$work/secret"; chmod 600 "$work/secret"
  $IRONIC node create --name pxe-n01 --driver fake --mac 52:54:00:77:00:01 --store "$store" \
    --instance-info kernel=http://images.test/vmlinuz --instance-info ramdisk=http://images.test/initrd.img \
    --instance-info ramdisk_kernel_arguments=marker=runbook3 >/dev/null || fail "cannot enroll into PostgreSQL at $pg (run .ci/start-postgres.sh)"
  $IRONIC node set pxe-n01 --provision-state "wait call-back" --store "$store" >/dev/null
  pa=$(free_port); pb=$(free_port)
  STORE=$store SECRET_FILE=$work/secret LISTEN_A=127.0.0.1:$pa LISTEN_B=127.0.0.1:$pb CHECK_MAC=52:54:00:77:00:01 \
    WORK=$work/run KEEP_SERVING=0 bash "$root/examples/two-boot-servers.sh" >"$work/out.log" 2>&1 || { cat "$work/out.log" >&2; fail "the runbook failed"; }
  grep -q 'marker=runbook3' "$work/run/from-b.ipxe" || fail "the script through server B lacks the node's parameters"
  grep -q '^dhcp-host=52:54:00:77:00:01,10.0.0.100$' "$work/run/dnsmasq.conf" || fail "dnsmasq.conf has no static lease for the port"
  grep -q "^dhcp-boot=tag:ipxe,http://127.0.0.1:$pa/boot.ipxe$" "$work/run/dnsmasq.conf" || fail "dnsmasq.conf does not hand out the catch-all"
  grep -q 'boot-a' "$work/out.log" && grep -q 'boot-b' "$work/out.log" || fail "the conductor list does not show both servers"
  ;;
esxi-iso)
  tree=$work/esxi; mkdir -p "$tree/EFI/BOOT"
  cp /usr/lib/ISOLINUX/isolinux.bin "$tree/ISOLINUX.BIN"; cp /usr/lib/syslinux/modules/bios/ldlinux.c32 "$tree/LDLINUX.C32"
  cp /usr/lib/syslinux/modules/bios/mboot.c32 "$tree/MBOOT.C32"
  printf 'DEFAULT install\r\nLABEL install\r\n  KERNEL mboot.c32\r\n  APPEND -c boot.cfg\r\n' >"$tree/ISOLINUX.CFG"
  bootcfg='bootstate=0\r\ntitle=Loading ESXi installer\r\ntimeout=5\r\nprefix=\r\nkernel=/b.b00\r\nkernelopt=runweasel cdromBoot\r\nmodules=/jumpstrt.gz --- /useropts.gz\r\nbuild=8.0.2\r\nupdated=0\r\n'
  printf "$bootcfg" >"$tree/BOOT.CFG"; printf "$bootcfg" >"$tree/EFI/BOOT/BOOT.CFG"
  head -c 65536 /dev/urandom >"$tree/B.B00"; head -c 4096 /dev/urandom >"$tree/JUMPSTRT.GZ"; head -c 1024 /dev/urandom >"$tree/USEROPTS.GZ"
  xorriso -as mkisofs -quiet --norock -J -V ESXI-EXAMPLE -b ISOLINUX.BIN -c BOOT.CAT -no-emul-boot -boot-load-size 4 -boot-info-table -o "$work/esxi.iso" "$tree" 2>"$work/xorriso.log" || { cat "$work/xorriso.log"; fail "xorriso failed"; }
  printf 'vmaccepteula\nrootpw Example1!\ninstall --firstdisk --overwritevmfs\nreboot\n' >"$work/ks.cfg"
  ESXI_ISO=$work/esxi.iso KS=$work/ks.cfg OUT=$work/esxi-ks.iso bash "$root/examples/esxi-iso.sh" >"$work/out.log" 2>&1 || { cat "$work/out.log" >&2; fail "the runbook failed"; }
  isoinfo -J -i "$work/esxi-ks.iso" -x /KS.CFG | cmp - "$work/ks.cfg" || fail "/KS.CFG on the ISO is not the kickstart"
  for cfg in /BOOT.CFG /EFI/BOOT/BOOT.CFG; do
    isoinfo -J -i "$work/esxi-ks.iso" -x "$cfg" | tr -d '\r' | grep -qx 'kernelopt=runweasel cdromBoot ks=cdrom:/KS.CFG' || fail "$cfg has no ks=cdrom:/KS.CFG"
  done
  [[ $(isoinfo -d -i "$work/esxi-ks.iso" | sed -n 's/^Volume id: //p') == ESXI-EXAMPLE ]] || fail "the volume label changed"
  ;;
*) fail "unknown case" ;;
esac
echo "ok: $case_name"
