using System.Text.Json.Serialization;

namespace Ironic.Core.Inventory;

/// <summary>Source-generated JSON for the columns that hold objects (driver_info, instance_info).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class InventoryJsonContext : JsonSerializerContext;
