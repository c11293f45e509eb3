#Requires -Modules Pester
# Runs where pwsh exists (build.ps1 -Task Test). Starts the BMC emulator from tests/emulator
# and drives the Redfish cmdlets against it.
BeforeAll {
    $root = Resolve-Path "$PSScriptRoot/../.."
    Import-Module "$root/out/Ironic/Ironic.psd1" -Force
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

    It 'ejects, and an empty slot is success' {
        { Set-VirtualMedia -BmcAddress $bmc -Credential $cred -Eject -Confirm:$false -ErrorAction Stop } | Should -Not -Throw
    }
}
