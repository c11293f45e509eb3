using System.Text.Json.Serialization;

namespace Ironic.Core.Iso;

/// <summary>Source-generated JSON for the ISO reports the fronts print (snake_case, enums as names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(BootIsoInfo))]
[JsonSerializable(typeof(BootIsoOutput))]
public sealed partial class IsoJsonContext : JsonSerializerContext;
