#Requires -Modules Ironic
<#
.SYNOPSIS
    Runbook 1: make a node-specific ISO from a base ISO and boot one server from it through its
    BMC (Redfish virtual media). Shell twin: boot-one-server.sh (run by the tests).
.EXAMPLE
    ./boot-one-server.ps1 -BaseIso ./ipa.iso -BmcAddress https://10.1.0.11 -Credential (Get-Credential) -Listen 10.0.0.5:6385
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $BaseIso,
    [Parameter(Mandatory)] [uri] $BmcAddress,
    [Parameter(Mandatory)] [pscredential] $Credential,
    [string] $Node = 'node1',
    # An address the BMC can reach: the boot network side of this host.
    [string] $Listen = '127.0.0.1:6385',
    [string[]] $KernelParameter = @('ipa-debug=1', 'console=ttyS0,115200'),
    [string] $WorkDirectory = './boot-one-server',
    [switch] $SkipCertificateCheck
)
$ErrorActionPreference = 'Stop'

# 1. What the base ISO boots, and the node's copy with our parameters in every boot entry.
Get-BootIso -Path $BaseIso | Format-Table
$images = New-Item -ItemType Directory -Force -Path (Join-Path $WorkDirectory "images/$Node")
New-BootIso -Path $BaseIso -OutFile (Join-Path $images 'boot.iso') -AppendKernelParameter $KernelParameter

# 2. Enroll the node (the status page follows it) and serve the ISO at /v1/images/<node>/boot.iso.
$store = Join-Path $WorkDirectory 'ironic.db'
if (-not (Get-IronicNode -Name $Node -Store $store -ErrorAction SilentlyContinue)) {
    New-IronicNode -Name $Node -Driver redfish -BmcAddress $BmcAddress -Credential $Credential -Store $store | Out-Null
}
$config = Join-Path $WorkDirectory 'ironic.conf'
Set-Content -Path $config -Value "[boot_server]`nimages_directory = $((Resolve-Path (Join-Path $WorkDirectory 'images')).Path)"
$server = Start-IronicBootServer -Listen $Listen -Name boot-one -Store $store -ConfigPath $config

# 3. Power off, insert, one-time boot from the virtual CD, power on — in the order BMCs need.
$bmc = @{ BmcAddress = $BmcAddress; Credential = $Credential; SkipCertificateCheck = $SkipCertificateCheck }
$image = "http://$Listen/v1/images/$Node/boot.iso"
if ($PSCmdlet.ShouldProcess($BmcAddress, "Boot once from $image")) {
    Set-VirtualMedia @bmc -Image $image -BootOnce -PowerOn -Force
}
Get-VirtualMedia @bmc -CdOnly
Get-BmcPowerState @bmc

Write-Host "Status page: $($server.Uri) — the node's row shows when the BMC downloads the ISO."
Write-Host "Stop-IronicBootServer -Name boot-one when the machine has booted."
