#!/usr/bin/env bash
# Deploy benchmark: 50 concurrent virtual-media deploys, overlay vs. full ISO copy per node.
# usage: bench/deploy/run.sh [--nodes 50] [--filler-mib 100]
set -euo pipefail
cd "$(dirname "$0")"
dotnet build -c Release -v q -nologo DeployBench.csproj >/dev/null
exec dotnet bin/Release/net10.0/DeployBench.dll "$@"
