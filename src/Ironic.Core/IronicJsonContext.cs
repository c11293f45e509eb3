using System.Text.Json.Serialization;
using Ironic.Core.Boot;

namespace Ironic.Core;

/// <summary>
/// Source-generated JSON for the types that cross a wire or a file. Property names are
/// snake_case, as in Ironic's own API.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(BootServerHealth))]
[JsonSerializable(typeof(Inventory.Node))]
[JsonSerializable(typeof(IReadOnlyList<Inventory.Node>))]
[JsonSerializable(typeof(Inventory.Port))]
[JsonSerializable(typeof(IReadOnlyList<Inventory.Port>))]
[JsonSerializable(typeof(Inventory.Conductor))]
[JsonSerializable(typeof(IReadOnlyList<Inventory.Conductor>))]
public sealed partial class IronicJsonContext : JsonSerializerContext;
