#requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages the Ironic module.
.DESCRIPTION
    Build:   builds the solution (warnings are errors) and lays the module out in
             out/Ironic/<version>/: Ironic.psd1, the dlls, Ironic.Format.ps1xml,
             en-US/Ironic.PowerShell.dll-Help.xml, and bin/ with the `ironic` executable that
             Start-IronicBootServer runs.
    Test:    Build, then every xunit test (dotnet test), then the Pester tests in tests/pester
             against the module in out/.
    Package: Build, then a .nupkg of the module in out/ that Install-PSResource accepts.
    The version comes from module/Ironic.psd1 and nowhere else.
.EXAMPLE
    ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$version = (Import-PowerShellDataFile (Join-Path $root 'module/Ironic.psd1')).ModuleVersion
$moduleOut = Join-Path $root "out/Ironic/$version"

function Invoke-Native {
    param([string] $Command, [string[]] $Arguments)
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Command $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $root 'Ironic.sln'), '-c', $Configuration, '-warnaserror', '-nologo')
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $moduleOut | Out-Null
    # The PowerShell project's output folder is already the module layout (see its csproj).
    $built = Join-Path $root "src/Ironic.PowerShell/bin/$Configuration/net8.0"
    Copy-Item -Path (Join-Path $built '*') -Destination $moduleOut -Recurse -Exclude '*.pdb', '*.deps.json'
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/Ironic.Cli/Ironic.Cli.csproj'), '-c', $Configuration, '--no-build', '-o', (Join-Path $moduleOut 'bin'), '-nologo')
    Write-Host "module: $moduleOut"
}

function Invoke-Test {
    $results = Join-Path $root 'TestResults'
    Invoke-Native dotnet @('test', (Join-Path $root 'Ironic.sln'), '-c', $Configuration, '--no-build', '--logger', 'trx', '--results-directory', $results, '-nologo')
    if (-not (Get-Module -ListAvailable Pester | Where-Object Version -ge '5.0')) {
        throw 'Pester 5 is needed for tests/pester: Install-PSResource Pester'
    }
    $env:IRONIC_MODULE_PATH = Join-Path $moduleOut 'Ironic.psd1'
    # Pester runs in a child process so that the module's dlls are not locked in this session.
    $pester = @"
Import-Module Pester -MinimumVersion 5.0
`$c = New-PesterConfiguration
`$c.Run.Path = '$(Join-Path $root 'tests/pester')'
`$c.Run.Exit = `$true
`$c.Output.Verbosity = 'Detailed'
`$c.TestResult.Enabled = `$true
`$c.TestResult.OutputPath = '$(Join-Path $results 'pester.xml')'
Invoke-Pester -Configuration `$c
"@
    pwsh -NoProfile -Command $pester
    if ($LASTEXITCODE -ne 0) { throw 'Pester tests failed' }
}

function Invoke-Package {
    $repo = Join-Path $root 'out/packages'
    New-Item -ItemType Directory -Path $repo -Force | Out-Null
    $name = 'IronicBuildLocal'
    if (-not (Get-PSResourceRepository -Name $name -ErrorAction SilentlyContinue)) {
        Register-PSResourceRepository -Name $name -Uri $repo -Trusted
    }
    try {
        Publish-PSResource -Path $moduleOut -Repository $name
    }
    finally {
        Unregister-PSResourceRepository -Name $name
    }
    Get-ChildItem $repo -Filter "Ironic.$version.nupkg"
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Build; Invoke-Test }
    'Package' { Invoke-Build; Invoke-Package }
}
