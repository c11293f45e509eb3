#!/usr/bin/env bash
# The PS-free twin of `build.ps1 -Task Package`, for machines without pwsh: builds the module
# into out/Ironic/<version>/ (as build.ps1 -Task Build does: the PowerShell project's output,
# help and about_Ironic included, and the `ironic` CLI under bin/), then packs it into
# out/packages/Ironic.<version>.nupkg, the layout Install-PSResource installs.
#   bash build/package.sh [Release|Debug]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
configuration=${1:-Release}
version=$(sed -n "s/^[[:space:]]*ModuleVersion[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$root/module/Ironic.psd1")
[[ -n $version ]] || { echo "package: no ModuleVersion in module/Ironic.psd1" >&2; exit 1; }
module_out="$root/out/Ironic/$version"

dotnet build "$root/src/Ironic.PowerShell/Ironic.PowerShell.csproj" -c "$configuration" -warnaserror -nologo -v q
dotnet build "$root/src/Ironic.Cli/Ironic.Cli.csproj" -c "$configuration" -warnaserror -nologo -v q
rm -rf "$module_out"; mkdir -p "$module_out"
(cd "$root/src/Ironic.PowerShell/bin/$configuration/net8.0" && find . -type f ! -name '*.pdb' ! -name '*.deps.json' -exec cp --parents {} "$module_out/" \;)
dotnet publish "$root/src/Ironic.Cli/Ironic.Cli.csproj" -c "$configuration" --no-build -o "$module_out/bin" -nologo -v q
rm -f "$module_out"/bin/*.pdb
dotnet "$root/build/Ironic.HelpBuilder/bin/$configuration/net10.0/Ironic.HelpBuilder.dll" pack --module "$module_out" --name Ironic --out "$root/out/packages"
