using System.Text.Json;

namespace Ironic.Core.Redfish;

/// <summary>One virtual media slot as the BMC reports it, with what the client may do to it.</summary>
public sealed record VirtualMediaSlot
{
    public required string Path { get; init; }
    public required string Id { get; init; }
    public string? Name { get; init; }
    public IReadOnlyList<string> MediaTypes { get; init; } = [];
    public string? Image { get; init; }
    public string? ImageName { get; init; }
    public bool? Inserted { get; init; }
    public bool? WriteProtected { get; init; }
    public string? ConnectedVia { get; init; }

    /// <summary>Status.Health: BMCs that fail to fetch an image often keep it "inserted" with Health Critical.</summary>
    public string? Health { get; init; }

    /// <summary>The InsertMedia action's target, when the slot has the action.</summary>
    public string? InsertTarget { get; init; }

    /// <summary>The EjectMedia action's target, when the slot has the action.</summary>
    public string? EjectTarget { get; init; }

    /// <summary>The slot may be PATCHed (its Allow header or @Redfish.WriteableProperties say so).</summary>
    public bool Patchable { get; init; }

    public string? ETag { get; init; }

    /// <summary>The BMC this slot belongs to (set by the reader, for display).</summary>
    public Uri? Bmc { get; init; }

    /// <summary>The slot takes CD or DVD images (the kind a boot ISO goes into).</summary>
    public bool IsCdOrDvd => MediaTypes.Any(t => t.Equals("CD", StringComparison.OrdinalIgnoreCase) || t.Equals("DVD", StringComparison.OrdinalIgnoreCase));

    /// <summary>The client can insert into this slot, by action or by PATCH.</summary>
    public bool CanInsert => InsertTarget is not null || Patchable;

    /// <summary>Something is in the slot: it reads Inserted, or (when it reports no Inserted) it names an image.</summary>
    public bool HoldsMedia => Inserted ?? !string.IsNullOrEmpty(Image);

    /// <summary>The slot holds this image and does not report it broken.</summary>
    public bool HoldsHealthy(Uri image) => Holds(image) && !string.Equals(Health, "Critical", StringComparison.OrdinalIgnoreCase);

    /// <summary>The slot holds this image (BMCs echo the URL; a few report only its file name).</summary>
    public bool Holds(Uri image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!HoldsMedia) return false;
        if (Image is { Length: > 0 } url) return string.Equals(url.TrimEnd('/'), image.AbsoluteUri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            || string.Equals(url.TrimEnd('/'), image.OriginalString.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
        return ImageName is { Length: > 0 } name && image.AbsolutePath.EndsWith("/" + name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads a slot from its resource (DSP0268 VirtualMedia).</summary>
    public static VirtualMediaSlot FromResource(RedfishResource resource, Uri? bmc = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var body = resource.Body;
        var actions = body.Property("Actions");
        var writeable = body.Property("@Redfish.WriteableProperties") is { ValueKind: JsonValueKind.Array } w
            && w.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && e.GetString() == "Image");
        return new VirtualMediaSlot
        {
            Path = body.String("@odata.id") ?? resource.Path,
            Id = body.String("Id") ?? resource.Path.TrimEnd('/').Split('/')[^1],
            Name = body.String("Name"),
            MediaTypes = body.Strings("MediaTypes"),
            Image = body.String("Image"),
            ImageName = body.String("ImageName"),
            Inserted = body.Bool("Inserted"),
            WriteProtected = body.Bool("WriteProtected"),
            ConnectedVia = body.String("ConnectedVia"),
            Health = body.Property("Status")?.String("Health"),
            InsertTarget = actions?.Property("#VirtualMedia.InsertMedia")?.String("target"),
            EjectTarget = actions?.Property("#VirtualMedia.EjectMedia")?.String("target"),
            Patchable = resource.Allows("PATCH") || writeable,
            ETag = resource.ETag,
            Bmc = bmc,
        };
    }
}
