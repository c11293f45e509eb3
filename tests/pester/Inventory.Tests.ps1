# Pester 5. Node and port cmdlets against a temporary SQLite inventory (build.ps1 -Task Test).
BeforeAll {
    . "$PSScriptRoot/ImportIronic.ps1"
    $env:IRONIC_SECRET_KEY = [Convert]::ToBase64String([byte[]]::new(32))
    $store = Join-Path ([IO.Path]::GetTempPath()) "pester-inventory-$PID.db"
    $PSDefaultParameterValues['*-Ironic*:Store'] = $store
}

AfterAll {
    $PSDefaultParameterValues.Remove('*-Ironic*:Store')
    Remove-Item "$store*" -ErrorAction SilentlyContinue
}

Describe 'Node and port cmdlets' {
    It 'enrolls a node with ports and never shows its password' {
        $cred = [pscredential]::new('root', (ConvertTo-SecureString 'pester-Secret-1' -AsPlainText -Force))
        $node = New-IronicNode -Name pester-n01 -Driver redfish -BmcAddress https://10.0.0.5 -Credential $cred -MacAddress 52-54-00-AA-BB-01, 525400aabb02
        $node.Name | Should -Be 'pester-n01'
        $node.DriverInfo['redfish_password'] | Should -Be '******'
        (Get-IronicPort -Node pester-n01).Address | Should -Be @('52:54:00:aa:bb:01', '52:54:00:aa:bb:02')
    }

    It 'finds nodes by wildcard and by MAC in any form' {
        (Get-IronicNode -Name pester-*).Name | Should -Contain 'pester-n01'
        (Get-IronicNode -MacAddress 52:54:00:AA:BB:02).Name | Should -Be 'pester-n01'
    }

    It 'changes a node through the pipeline and passes it on' {
        $changed = Get-IronicNode pester-n01 | Set-IronicNode -InstanceInfo @{ boot_iso = 'http://images/a.iso' } -ProvisionState 'wait call-back' -PassThru
        $changed.ProvisionState | Should -Be 'wait call-back'
        $changed.InstanceInfo['boot_iso'] | Should -Be 'http://images/a.iso'
    }

    It 'reports an unknown node as NodeNotFound' {
        Get-IronicNode -Name no-such-node -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NodeNotFound*'
    }

    It 'removes ports and nodes' {
        Get-IronicPort -Node pester-n01 | Remove-IronicPort -Confirm:$false
        Get-IronicPort -Node pester-n01 | Should -BeNullOrEmpty
        Remove-IronicNode pester-n01 -Confirm:$false
        Get-IronicNode -Name pester-* | Should -BeNullOrEmpty
    }
}
