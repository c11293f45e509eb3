# Dot-sourced by every *.Tests.ps1 in BeforeAll: imports the built module, the one
# build.ps1 -Task Test names in $env:IRONIC_MODULE_PATH, else the newest out/Ironic/<version>/.
$manifest = $env:IRONIC_MODULE_PATH
if (-not $manifest) {
    $manifest = Get-ChildItem "$PSScriptRoot/../../out/Ironic/*/Ironic.psd1" | Sort-Object { [version]$_.Directory.Name } | Select-Object -Last 1 -ExpandProperty FullName
}
if (-not $manifest) { throw 'The module is not built: run ./build.ps1 -Task Build first.' }
Import-Module $manifest -Force
