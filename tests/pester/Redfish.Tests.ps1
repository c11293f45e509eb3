#Requires -Modules Pester
# Runs where pwsh exists (build.ps1 -Task Test). Starts the BMC emulator from tests/emulator
# and drives the Redfish cmdlets against it.
BeforeAll {
    $root = Resolve-Path "$PSScriptRoot/../.."
    . "$PSScriptRoot/ImportIronic.ps1"
    $port = Get-Random -Minimum 20000 -Maximum 40000
    $emulator = Start-Process dotnet -ArgumentList "run --project $root/tests/emulator/Ironic.BmcEmulator -- --listen 127.0.0.1:$port --profile idrac" -PassThru -NoNewWindow
    $bmc = "http://127.0.0.1:$port"
    $cred = [pscredential]::new('admin', (ConvertTo-SecureString 'password' -AsPlainText -Force))
    foreach ($i in 1..60) {
        try { Invoke-RestMethod "$bmc/redfish/v1/" | Out-Null; break } catch { Start-Sleep -Milliseconds 500 }
    }
}

AfterAll {
    if ($emulator) { Stop-Process -Id $emulator.Id }
}

Describe 'Redfish cmdlets' {
    It 'lists a CD slot' {
        Get-VirtualMedia -BmcAddress $bmc -Credential $cred -CdOnly | Should -Not -BeNullOrEmpty
    }

    It 'powers the server on and reads it back' {
        Set-BmcPowerState -BmcAddress $bmc -Credential $cred -State On -Confirm:$false
        (Get-BmcPowerState -BmcAddress $bmc -Credential $cred).PowerState | Should -Be 'On'
    }

    It 'sets a one-time boot to CD' {
        $boot = Set-BmcBootDevice -BmcAddress $bmc -Credential $cred -Device Cd -Once -PassThru
        $boot.Target | Should -Be 'Cd'
        $boot.Enabled | Should -Be 'Once'
    }

    It 'reports wrong credentials as BmcAuthenticationFailed' {
        $bad = [pscredential]::new('admin', (ConvertTo-SecureString 'wrong' -AsPlainText -Force))
        Get-BmcPowerState -BmcAddress $bmc -Credential $bad -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BmcAuthenticationFailed*'
    }

    It 'takes a node from Get-IronicNode, whose password it reads back from the inventory' {
        $store = Join-Path ([IO.Path]::GetTempPath()) "pester-redfish-$PID.db"
        try {
            New-IronicNode -Name pester-bmc -Driver redfish -BmcAddress $bmc -Credential $cred -Store $store | Out-Null
            (Get-IronicNode -Name pester-bmc -Store $store).DriverInfo['redfish_password'] | Should -Be '******'
            $slots = Get-IronicNode -Name pester-bmc -Store $store | Get-VirtualMedia -CdOnly -Store $store -ErrorAction Stop
            $slots | Should -Not -BeNullOrEmpty
            (Get-IronicNode -Name pester-bmc -Store $store | Get-BmcPowerState -Store $store -ErrorAction Stop).PowerState | Should -Not -BeNullOrEmpty
        }
        finally {
            Remove-Item $store* -ErrorAction SilentlyContinue
        }
    }

    It 'ejects, and an empty slot is success' {
        { Set-VirtualMedia -BmcAddress $bmc -Credential $cred -Eject -Confirm:$false -ErrorAction Stop } | Should -Not -Throw
    }
}
