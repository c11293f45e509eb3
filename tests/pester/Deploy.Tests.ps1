# Pester 5. Deploys against fake hardware in a scratch inventory (no BMC needed); the ISO path
# needs a boot server on the same inventory, started here with the module's own cmdlet.
BeforeAll {
    . "$PSScriptRoot/ImportIronic.ps1"
    $store = Join-Path ([IO.Path]::GetTempPath()) "pester-deploy-$PID.db"
    $cache = Join-Path ([IO.Path]::GetTempPath()) "pester-deploy-cache-$PID"
}

AfterAll {
    Remove-Item $store, $cache -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Start-IronicDeploy (iPXE)' {
    BeforeAll {
        New-IronicNode -Name 'pester-px1' -Driver fake -Store $store | Out-Null
    }

    It 'leaves the node waiting for its call-back, with the kernel parameters given' {
        $status = Start-IronicDeploy -Name 'pester-px1' -Kernel http://img.test/vmlinuz -Ramdisk http://img.test/initrd -KernelParameter ipa-debug=1 -Store $store -ImageCache $cache -Confirm:$false
        $status.ProvisionState | Should -Be 'wait call-back'
        $status.KernelArguments | Should -Be 'ipa-debug=1'
    }

    It 'stores -BootMode as instance_info deploy_boot_mode, and refuses a mode that is none' {
        New-IronicNode -Name 'pester-bm' -Driver fake -Store $store | Out-Null
        { Start-IronicDeploy -Name 'pester-bm' -Kernel http://img.test/vmlinuz -Ramdisk http://img.test/initrd -BootMode efi -Store $store } | Should -Throw '*efi*'
        Start-IronicDeploy -Name 'pester-bm' -Kernel http://img.test/vmlinuz -Ramdisk http://img.test/initrd -BootMode bios -Store $store -ImageCache $cache -Confirm:$false | Out-Null
        (Get-IronicNode -Name 'pester-bm' -Store $store).InstanceInfo['deploy_boot_mode'] | Should -Be 'bios'
    }

    It 'times out waiting with DeployTimedOut' {
        Wait-IronicDeploy -Name 'pester-px1' -TimeoutSec 1 -Store $store -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DeployTimedOut*'
    }

    It 'undeploys to available' {
        (Stop-IronicDeploy -Name 'pester-px1' -Store $store -ImageCache $cache -Confirm:$false).ProvisionState | Should -Be 'available'
    }
}

Describe 'Start-IronicDeploy -WhatIf' {
    It 'changes nothing' {
        New-IronicNode -Name 'pester-wi' -Driver fake -Store $store | Out-Null
        Start-IronicDeploy -Name 'pester-wi' -BootIso http://img.test/x.iso -Store $store -WhatIf
        (Get-IronicNode -Name 'pester-wi' -Store $store).ProvisionState | Should -Be 'available'
    }

    It 'refuses an ISO together with a kernel' {
        { Start-IronicDeploy -Name 'pester-wi' -BootIso http://img/x.iso -Kernel http://img/k -Store $store } | Should -Throw '*not both*'
    }

    It 'refuses -InjectFile without a boot ISO, and a file that is not there' {
        $conf = Join-Path ([IO.Path]::GetTempPath()) "pester-inject-$PID.conf"
        Set-Content -Path $conf -Value 'x=1'
        { Start-IronicDeploy -Name 'pester-wi' -Kernel http://img/k -Ramdisk http://img/r -InjectFile @{ '/etc/x.conf' = $conf } -Store $store } | Should -Throw '*need -BootIso*'
        { Start-IronicDeploy -Name 'pester-wi' -BootIso http://img/x.iso -InjectFile @{ '/etc/x.conf' = './no-such-file' } -Store $store -WhatIf } | Should -Throw '*does not exist*'
        Remove-Item $conf
    }
}
