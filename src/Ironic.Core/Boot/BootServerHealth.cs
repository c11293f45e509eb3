namespace Ironic.Core.Boot;

/// <summary>What a boot server says of itself at <c>GET /healthz</c>.</summary>
public sealed record BootServerHealth(string Status, string Name, string Version, string Store)
{
    /// <summary>The address it was asked at (filled in by the client, not sent by the server).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Uri? Uri { get; init; }
}
