# Pester 5. Runs against the built module in out/ (build.ps1 -Task Test sets IRONIC_MODULE_PATH).
BeforeAll {
    . "$PSScriptRoot/ImportIronic.ps1"
}

Describe 'Ironic module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $data = Import-PowerShellDataFile $manifest
        (Get-Command -Module Ironic).Name | Sort-Object | Should -Be ($data.CmdletsToExport | Sort-Object)
    }

    It 'has help with examples for every cmdlet' {
        foreach ($command in Get-Command -Module Ironic) {
            $help = Get-Help $command.Name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because $command.Name
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2 -Because $command.Name
        }
    }

    It 'supports -WhatIf on every cmdlet that changes state' {
        $verbs = 'New', 'Set', 'Start', 'Stop', 'Remove', 'Mount', 'Dismount'
        Get-Command -Module Ironic | Where-Object Verb -In $verbs | ForEach-Object {
            $_.Parameters.Keys | Should -Contain 'WhatIf' -Because $_.Name
        }
    }
}

Describe 'Test-IronicBootServer' {
    BeforeAll {
        $exe = Join-Path (Split-Path $manifest) 'bin/ironic'
        if ($IsWindows) { $exe += '.exe' }
        $store = Join-Path ([IO.Path]::GetTempPath()) "pester-$PID.db"
        $server = Start-Process $exe -ArgumentList 'serve', '--listen', '127.0.0.1:6399', '--store', $store -PassThru
        $deadline = (Get-Date).AddSeconds(20)
        while ((Get-Date) -lt $deadline) {
            try { Invoke-RestMethod http://127.0.0.1:6399/healthz | Out-Null; break } catch { Start-Sleep -Milliseconds 200 }
        }
    }
    AfterAll { $server | Stop-Process -ErrorAction SilentlyContinue }

    It 'reports a running server' {
        $health = Test-IronicBootServer -Uri http://127.0.0.1:6399
        $health.Status | Should -Be 'ok'
        $health.Store | Should -Be $store
    }

    It 'writes a BootServerUnavailable error when nothing answers' {
        Test-IronicBootServer -Uri http://127.0.0.1:1 -TimeoutSec 2 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BootServerUnavailable*'
    }
}
