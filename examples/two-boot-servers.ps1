#Requires -Modules Ironic
<#
.SYNOPSIS
    Runbook 3: two boot servers that share one PostgreSQL inventory behind static DHCP.
    Shell twin: two-boot-servers.sh (run by the tests).
.DESCRIPTION
    dnsmasq gives each known MAC a fixed address and hands every iPXE the catch-all
    http://<server>/boot.ipxe; whichever server a machine asks, the node's owner on the hash
    ring renders its script (the other forwards, authenticated by the shared secret).
    In production run one server per host (this script on each, with -Only A or B).
.EXAMPLE
    ./two-boot-servers.ps1 -Store 'postgres://ironic:pw@db1/ironic' -SecretFile /etc/ironic/boot-secret -ListenA 10.0.0.5:6385 -ListenB 10.0.0.6:6385
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Store,
    [Parameter(Mandatory)] [string] $SecretFile,
    [string] $ListenA = '127.0.0.1:6385',
    [string] $ListenB = '127.0.0.1:6386',
    [string] $BootNetwork = '10.0.0.0',
    [int] $FirstHost = 100,
    [string] $DnsmasqConf = './dnsmasq-ironic.conf'
)
$ErrorActionPreference = 'Stop'

$a = Start-IronicBootServer -Listen $ListenA -Name boot-a -Store $Store -SharedSecretFile $SecretFile
$b = Start-IronicBootServer -Listen $ListenB -Name boot-b -Store $Store -SharedSecretFile $SecretFile
Get-IronicConductor -Store $Store | Format-Table Name, Alive, NodeCount, InternalUrl

# Static DHCP: one dhcp-host line per port in the inventory; iPXE gets the catch-all.
$net = $BootNetwork.Substring(0, $BootNetwork.LastIndexOf('.'))
$lines = @(
    "dhcp-range=$BootNetwork,static,255.255.255.0,12h"
    'dhcp-match=set:ipxe,175'
    'dhcp-boot=tag:!ipxe,undionly.kpxe'
    'dhcp-match=set:efi64,option:client-arch,7'
    'dhcp-boot=tag:efi64,tag:!ipxe,ipxe.efi'
    "dhcp-boot=tag:ipxe,http://$ListenA/boot.ipxe"
    'enable-tftp'
    'tftp-root=/usr/lib/ipxe'
)
$hostNumber = $FirstHost
foreach ($port in Get-IronicPort -Store $Store | Sort-Object Address) {
    $lines += "dhcp-host=$($port.Address),$net.$hostNumber"
    $hostNumber++
}
Set-Content -Path $DnsmasqConf -Value $lines
Write-Host "Wrote $DnsmasqConf; copy it to /etc/dnsmasq.d/ironic.conf and restart dnsmasq."

# Both servers hand out the same catch-all, and either one answers for any waiting node.
Test-IronicBootServer -Uri $a.Uri, $b.Uri | Format-Table
Get-IronicBootConfig -MacAddress (Get-IronicPort -Store $Store).Address -Store $Store | Format-Table
Write-Host "Status pages: $($a.Uri) and $($b.Uri). Stop-IronicBootServer stops both."
