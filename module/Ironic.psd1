@{
    RootModule           = 'Ironic.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1f2f4e-0b8c-4a53-9d3e-2f6a3c1e9b71'
    Author               = 'Ironic for PowerShell developers'
    CompanyName          = 'Ironic for PowerShell'
    Copyright            = '(c) Ironic for PowerShell developers. Apache-2.0.'
    Description          = 'Boot bare-metal servers from PowerShell: node-specific boot ISOs as overlays, Redfish virtual media, ramdisk deploys and a boot configuration API server.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('Ironic.Format.ps1xml')
    CmdletsToExport      = @(
        'Test-IronicBootServer'
        'Start-IronicDeploy'
        'Stop-IronicDeploy'
        'Wait-IronicDeploy'
        'Set-VirtualMedia'
        'Get-VirtualMedia'
        'Get-BmcPowerState'
        'Set-BmcPowerState'
        'Set-BmcBootDevice'
        'Start-IronicBootServer'
        'Stop-IronicBootServer'
        'Get-IronicBootServer'
        'Get-IronicBootConfig'
        'Get-IronicConductor'
        'New-IronicNode'
        'Get-IronicNode'
        'Set-IronicNode'
        'Remove-IronicNode'
        'New-IronicPort'
        'Get-IronicPort'
        'Remove-IronicPort'
        'New-BootIso'
        'Get-BootIso'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Ironic', 'BareMetal', 'Redfish', 'iPXE', 'ISO', 'VirtualMedia', 'PSEdition_Core', 'Linux', 'Windows')
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            ProjectUri   = 'https://example.invalid/ironic-powershell'
            ReleaseNotes = 'First release: node-specific boot ISOs as overlays (New-BootIso, Get-BootIso); Redfish virtual media, power and boot device; ramdisk deploys from a boot ISO or kernel and ramdisk (Start-, Wait-, Stop-IronicDeploy); inventory of nodes and ports on SQLite or PostgreSQL; boot servers with the boot configuration API, a conductor hash ring and a status page; about_Ironic help.'
        }
    }
}
