#Requires -Modules Ironic
<#
.SYNOPSIS
    Runbook 2: enroll a rack from a CSV of BMCs and ramdisk-deploy a boot ISO to every node
    through Redfish virtual media. Shell twin: deploy-rack.sh (run by the tests).
.DESCRIPTION
    The CSV has the columns name,bmc,mac,system (system may be empty). One boot server on this
    host publishes each node's ISO (an overlay of the base, a few KiB per node) and owns the nodes.
.EXAMPLE
    ./deploy-rack.ps1 -Csv ./rack1.csv -BootIso https://images.example/ipa.iso -Credential (Get-Credential) -Listen 10.0.0.5:6385
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Csv,
    [Parameter(Mandatory)] [string] $BootIso,
    [Parameter(Mandatory)] [pscredential] $Credential,
    [string] $Listen = '127.0.0.1:6385',
    [string] $Store = './rack.db',
    [string[]] $KernelParameter = @('ipa-debug=1'),
    [string] $Checksum,
    [int] $ThrottleLimit = 8
)
$ErrorActionPreference = 'Stop'

$server = Start-IronicBootServer -Listen $Listen -Name rack-boot -Store $Store

$rack = Import-Csv -Path $Csv
foreach ($row in $rack) {
    if (Get-IronicNode -Name $row.name -Store $Store -ErrorAction SilentlyContinue) { continue }
    $node = @{ Name = $row.name; Driver = 'redfish'; BmcAddress = $row.bmc; Credential = $Credential; MacAddress = $row.mac; Store = $Store }
    if ($row.system) { $node.SystemId = $row.system }
    New-IronicNode @node | Out-Null
}
Get-IronicNode -Store $Store | Format-Table

$deploy = @{ BootIso = $BootIso; KernelParameter = $KernelParameter; ThrottleLimit = $ThrottleLimit; Store = $Store }
if ($Checksum) { $deploy.Checksum = $Checksum }
$results = Get-IronicNode -Name $rack.name -Store $Store | Start-IronicDeploy @deploy -Wait
$results | Format-Table
$failed = @($results | Where-Object ProvisionState -ne 'active')
if ($failed) { throw "$($failed.Count) node(s) failed: $($failed.Name -join ', ') — see their LastError." }

Write-Host "All $($results.Count) nodes active. Keep $($server.Uri) running while the machines read their ISOs (status page: $($server.Uri))."
