using System.Text.Json.Serialization;
using Ironic.Cli.Commands;
using Ironic.Core.Boot;

namespace Ironic.Cli;

/// <summary>Source-generated JSON for the shapes only the command line prints (snake_case, as Ironic's API).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(BootConfigReport))]
[JsonSerializable(typeof(Ironic.Core.Deploy.DeployStatus))]
[JsonSerializable(typeof(List<ConductorOwnership>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
