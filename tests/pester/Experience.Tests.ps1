# What a user meets besides the cmdlets: about_Ironic, tab completion, table views.
BeforeAll {
    . "$PSScriptRoot/ImportIronic.ps1"
    $script:store = Join-Path ([System.IO.Path]::GetTempPath()) "ironic-pester-$([guid]::NewGuid().ToString('N')).db"
    New-IronicNode -Name pester-n01 -MacAddress 52:54:00:ab:cd:01 -Store $store | Out-Null
    New-IronicNode -Name pester-n02 -MacAddress 52:54:00:ab:cd:02 -Store $store | Out-Null
}

AfterAll {
    Remove-Item "$store*" -ErrorAction SilentlyContinue
}

Describe 'about_Ironic' {
    It 'is found by Get-Help' {
        $help = Get-Help about_Ironic
        ($help | Out-String) | Should -Match 'Boot bare-metal servers from PowerShell'
    }
}

Describe 'Tab completion' {
    It 'completes node names from the inventory' {
        $line = "Get-IronicNode -Store '$store' -Name pester-n"
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Be @('pester-n01', 'pester-n02')
    }

    It 'completes MACs typed with hyphens' {
        $line = "Get-IronicPort -Store '$store' -MacAddress 52-54-00-ab-cd-0"
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Contain '52:54:00:ab:cd:02'
    }
}

Describe 'Table views' {
    It 'shows nodes as a table with their provision state' {
        $text = Get-IronicNode -Store $store | Out-String
        $text | Should -Match 'ProvisionState'
        $text | Should -Match 'pester-n01'
    }
}
