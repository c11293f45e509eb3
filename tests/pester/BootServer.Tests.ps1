# Pester 5: the boot server cmdlets against the built module and the real `ironic` executable.
BeforeAll {
    . "$PSScriptRoot/ImportIronic.ps1"
    $script:store = Join-Path ([IO.Path]::GetTempPath()) "pester-boot-$([guid]::NewGuid().ToString('N')).db"
}

Describe 'Start-IronicBootServer' {
    It 'starts a server that answers /healthz and stops it' {
        $server = Start-IronicBootServer -Listen 127.0.0.1:0 -Store $script:store -Name pester-c1
        try {
            $server.Pid | Should -BeGreaterThan 0
            (Test-IronicBootServer -Uri $server.Uri).Name | Should -Be 'pester-c1'
            (Get-IronicBootServer -Name pester-c1).Pid | Should -Be $server.Pid
            (Get-IronicConductor -Store $script:store).Name | Should -Contain 'pester-c1'
        }
        finally {
            Stop-IronicBootServer -Name pester-c1 -Confirm:$false
        }
        Get-IronicBootServer -Name pester-c1 | Should -BeNullOrEmpty
    }
}

Describe 'Get-IronicBootConfig' {
    It 'explains an unknown MAC' {
        $lookup = Get-IronicBootConfig -MacAddress 02-00-00-00-00-01 -Store $script:store -WarningAction SilentlyContinue
        $lookup.Found | Should -BeFalse
        $lookup.Reason | Should -Match 'No port has the MAC 02:00:00:00:00:01'
    }
}
