# Needs pwsh, the built module and a test ISO from ../shared/tools/make-test-iso.sh.
BeforeAll {
    . "$PSScriptRoot/ImportIronic.ps1"
    $script:base = Join-Path $TestDrive 'base.iso'
    & (Join-Path $PSScriptRoot '../../../shared/tools/make-test-iso.sh') $script:base | Out-Null
}

Describe 'Get-BootIso' {
    It 'reports the label and both El Torito entries' {
        $info = Get-BootIso -Path $script:base
        $info.Label | Should -Be 'IRONIC_TEST'
        $info.ElTorito.Platform | Should -Be @('Bios', 'Efi')
    }
}

Describe 'New-BootIso' {
    It 'puts the parameter in every boot entry' {
        $out = Join-Path $TestDrive 'node.iso'
        New-BootIso -Path $script:base -OutFile $out -AppendKernelParameter 'ironic.node=n1' -RemoveKernelParameter panic | Out-Null
        $entries = (Get-BootIso -LiteralPath $out).BootEntries
        $entries.Count | Should -BeGreaterThan 0
        $entries | ForEach-Object { $_.CommandLine | Should -Match 'ironic\.node=n1' }
        $entries | ForEach-Object { $_.CommandLine | Should -Not -Match 'panic=' }
    }

    It 'writes nothing with -WhatIf' {
        $out = Join-Path $TestDrive 'whatif.iso'
        New-BootIso -Path $script:base -OutFile $out -AppendKernelParameter 'a=b' -WhatIf
        Test-Path $out | Should -BeFalse
    }

    It 'writes a small delta' {
        $delta = Join-Path $TestDrive 'node.delta'
        $r = New-BootIso -Path $script:base -DeltaFile $delta -AppendKernelParameter 'a=b'
        $r.Kind | Should -Be 'delta'
        (Get-Item $delta).Length | Should -BeLessThan 65536
    }
}
