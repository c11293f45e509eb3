#Requires -Modules Ironic
<#
.SYNOPSIS
    Runbook 4: build an ESXi scripted-install ISO: the kickstart goes on the ISO as /KS.CFG and
    ks=cdrom:/KS.CFG is added to the kernelopt of both boot.cfg files (BIOS and UEFI).
    Shell twin: esxi-iso.sh (run by the tests).
.EXAMPLE
    ./esxi-iso.ps1 -EsxiIso ./VMware-VMvisor-Installer-8.0U2.iso -Kickstart ./ks.cfg -OutFile ./esxi-ks.iso
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $EsxiIso,
    [string] $Kickstart,
    [string] $OutFile = './esxi-ks.iso',
    [securestring] $RootPassword
)
$ErrorActionPreference = 'Stop'

if (-not $Kickstart) {
    # A minimal kickstart: install on the first disk, DHCP on vmnic0, reboot.
    $plain = if ($RootPassword) { [System.Net.NetworkCredential]::new('', $RootPassword).Password } else { 'VMware1!' }
    $Kickstart = Join-Path ([System.IO.Path]::GetTempPath()) 'ks.cfg'
    Set-Content -Path $Kickstart -Value @(
        'vmaccepteula'
        "rootpw $plain"
        'install --firstdisk --overwritevmfs'
        'network --bootproto=dhcp --device=vmnic0'
        'reboot'
    )
}

Get-BootIso -Path $EsxiIso | Format-Table
New-BootIso -Path $EsxiIso -OutFile $OutFile -InjectFile @{ '/KS.CFG' = $Kickstart } -AppendKernelParameter 'ks=cdrom:/KS.CFG'
# Every boot entry (BOOT.CFG and EFI/BOOT/BOOT.CFG) now ends its kernelopt with ks=cdrom:/KS.CFG.
(Get-BootIso -Path $OutFile).Entries | Format-Table
