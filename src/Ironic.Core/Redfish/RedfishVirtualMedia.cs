using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Ironic.Core.Redfish;

/// <summary>How an insertion behaves.</summary>
public sealed record VirtualMediaInsertOptions
{
    /// <summary>Eject a slot that holds another image first; otherwise such a slot is an error.</summary>
    public bool EjectBusySlot { get; init; }

    /// <summary>How long to wait for the slot to read the image inserted (BMCs fetch it first).</summary>
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Pause between reads of the slot while verifying.</summary>
    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After the slot first reads inserted, how long to wait before reading it once more: BMCs
    /// accept a URL at once and drop it (or mark it Critical) when the fetch fails.
    /// </summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The virtual media of one system: found under the System, then under each Manager; CD/DVD
/// slots used for boot images. Insertion and ejection follow what real BMCs need (DESIGN.md,
/// "Redfish virtual media"), and both are checked by reading the slot back.
/// </summary>
public sealed class RedfishVirtualMedia(RedfishClient client, RedfishSystem system)
{
    private const int MaxInsertAttempts = 5;

    /// <summary>Every virtual media slot of the system: those under the System first, then each Manager's.</summary>
    public async Task<IReadOnlyList<VirtualMediaSlot>> GetSlotsAsync(CancellationToken cancellationToken)
    {
        var collections = new List<string>();
        var body = (await system.ReadAsync(cancellationToken).ConfigureAwait(false)).Body;
        if (body.Link("VirtualMedia") is { } own) collections.Add(own);

        var managers = body.Property("Links")?.Links("ManagedBy") ?? [];
        if (managers.Count == 0)
        {
            var root = await client.GetServiceRootAsync(cancellationToken).ConfigureAwait(false);
            if (root.Link("Managers") is { } managersPath)
            {
                managers = (await client.GetAsync(managersPath, cancellationToken).ConfigureAwait(false)).Body.Links("Members");
            }
        }
        foreach (var manager in managers)
        {
            var managerBody = (await client.GetAsync(manager, cancellationToken).ConfigureAwait(false)).Body;
            if (managerBody.Link("VirtualMedia") is { } media && !collections.Contains(media)) collections.Add(media);
        }

        var slots = new List<VirtualMediaSlot>();
        foreach (var collection in collections)
        {
            var members = (await client.GetAsync(collection, cancellationToken).ConfigureAwait(false)).Body.Links("Members");
            foreach (var member in members)
            {
                slots.Add(await ReadSlotAsync(member, cancellationToken).ConfigureAwait(false));
            }
        }
        return slots;
    }

    public async Task<VirtualMediaSlot> ReadSlotAsync(string path, CancellationToken cancellationToken) =>
        VirtualMediaSlot.FromResource(await client.GetAsync(path, cancellationToken).ConfigureAwait(false), client.Options.BmcAddress);

    private async Task<IReadOnlyList<VirtualMediaSlot>> CdSlotsAsync(CancellationToken cancellationToken)
    {
        var slots = await GetSlotsAsync(cancellationToken).ConfigureAwait(false);
        var cd = slots.Where(s => s.IsCdOrDvd).ToList();
        if (cd.Count == 0)
        {
            throw new RedfishNotFoundException(
                $"The BMC at {client.Options.BmcAddress} has no CD/DVD virtual media slot for {system.Path} (looked under the system and its managers; found "
                + (slots.Count == 0 ? "no slot at all" : string.Join(", ", slots.Select(s => $"{s.Id} [{string.Join("/", s.MediaTypes)}]"))) + "). "
                + "Check that the BMC's virtual media licence and feature are enabled.");
        }
        return cd;
    }

    /// <summary>
    /// Inserts the image into a CD/DVD slot and waits until the slot reads it inserted.
    /// A slot that already holds this image is left as it is.
    /// </summary>
    public async Task<VirtualMediaSlot> InsertAsync(Uri image, VirtualMediaInsertOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        if (!image.IsAbsoluteUri) throw new ArgumentException($"The image '{image}' is not an absolute URL; the BMC fetches it itself, so give http(s)://host/path.iso.", nameof(image));
        var log = client.Options.Log;
        var slots = await CdSlotsAsync(cancellationToken).ConfigureAwait(false);

        if (slots.FirstOrDefault(s => s.Holds(image)) is { } already)
        {
            log?.Invoke($"{already.Path} already holds {image}");
            return already;
        }
        var usable = slots.Where(s => s.CanInsert).ToList();
        if (usable.Count == 0)
        {
            throw new RedfishActionRefusedException(
                $"No CD/DVD slot of {system.Path} at {client.Options.BmcAddress} offers InsertMedia or PATCH ({string.Join(", ", slots.Select(s => s.Path))}). This BMC cannot attach media over Redfish.",
                RedfishFailure.None);
        }
        // Another image in any CD slot is in the way, not only in the one we pick: with two
        // virtual CDs attached, a one-time boot to Cd may start the wrong one.
        var occupied = slots.Where(s => s.HoldsMedia).ToList();
        if (occupied.Count > 0)
        {
            if (!options.EjectBusySlot)
            {
                var busy = occupied[0];
                throw new RedfishBusyException(
                    $"The BMC at {client.Options.BmcAddress} reports that its virtual media slot {busy.Path} already holds {Describe(busy)}, so {image} was not inserted. "
                    + ReplaceAdvice);
            }
            foreach (var busy in occupied)
            {
                log?.Invoke($"{busy.Path} holds {busy.Image ?? busy.ImageName}; ejecting it first");
                await EjectSlotAsync(busy, cancellationToken).ConfigureAwait(false);
            }
        }
        var slot = await ReadSlotAsync(usable[0].Path, cancellationToken).ConfigureAwait(false);

        var sentInserted = false;
        try
        {
            if (slot.InsertTarget is { } target)
            {
                sentInserted = await PostInsertAsync(slot, target, image, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PatchInsertAsync(slot, image, cancellationToken).ConfigureAwait(false);
                sentInserted = true;
            }
        }
        catch (RedfishBusyException e) when (e.HasMessageId("ResourceInUse"))
        {
            // The slot was taken between our read and the insert (another client, the BMC's own
            // console): the BMC's word is final, and the slot as it reads now names what is in it.
            var now = await ReadSlotAsync(slot.Path, cancellationToken).ConfigureAwait(false);
            throw new RedfishBusyException(
                $"The BMC at {client.Options.BmcAddress} refused to insert {image} into {slot.Path}: {Said(e)}"
                + (now.HoldsMedia ? $" The slot now reads {Describe(now)}." : "")
                + " " + ReplaceAdvice,
                new RedfishFailure(e.Method, e.Url, e.StatusCode, e.BmcMessages));
        }

        var inserted = await VerifySettledAsync(slot.Path, image, options, cancellationToken).ConfigureAwait(false);
        if (inserted.HoldsHealthy(image)) return inserted;
        if (!sentInserted && slot.InsertTarget is { } again && inserted.Image is not null && inserted.Inserted == false && inserted.Health is not "Critical")
        {
            // The BMC took the URL but left the slot not inserted: ask for Inserted explicitly.
            log?.Invoke($"{slot.Path} reads Inserted=false; asking again with Inserted=true");
            await client.PostAsync(again, new JsonObject { ["Image"] = image.AbsoluteUri, ["Inserted"] = true }, cancellationToken).ConfigureAwait(false);
            inserted = await VerifySettledAsync(slot.Path, image, options, cancellationToken).ConfigureAwait(false);
            if (inserted.HoldsHealthy(image)) return inserted;
        }
        throw new RedfishActionRefusedException(
            $"The BMC at {client.Options.BmcAddress} accepted {image} for {slot.Path}, but then the slot read "
            + $"Image '{inserted.Image ?? "(none)"}', Inserted {(inserted.Inserted is { } b ? (b ? "true" : "false") : "(not reported)")}, Status.Health {inserted.Health ?? "(not reported)"}. "
            + "The BMC most likely cannot fetch the image: check that the URL answers HEAD and Range requests from the BMC's network.",
            new RedfishFailure("POST", client.Resolve(slot.Path), null, []));
    }

    // InsertMedia with {"Image": url}; each refusal that names a parameter adjusts the body
    // once: a missing TransferProtocolType, UserName or Password is added, an unsupported
    // Inserted/WriteProtected is dropped. Returns whether Inserted was sent.
    private async Task<bool> PostInsertAsync(VirtualMediaSlot slot, string target, Uri image, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["Image"] = image.AbsoluteUri };
        var adjusted = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // ResourceInUse here means another image is in the slot: asking again would not change that.
                await client.PostAsync(target, body.DeepClone(), retryWhenInUse: false, cancellationToken).ConfigureAwait(false);
                return body.ContainsKey("Inserted");
            }
            catch (RedfishActionRefusedException e) when (attempt < MaxInsertAttempts && Adjust(body, e, image, adjusted) is { } change)
            {
                client.Options.Log?.Invoke($"InsertMedia on {slot.Path} refused ({e.BmcMessages.FirstOrDefault()?.MessageId ?? ((int?)e.StatusCode)?.ToString(System.Globalization.CultureInfo.InvariantCulture)}); retrying {change}");
            }
            catch (RedfishActionRefusedException e)
            {
                throw new RedfishActionRefusedException(
                    $"The BMC at {client.Options.BmcAddress} refused to insert {image} into {slot.Path}: {Said(e)}{UrlAdvice(image)}",
                    new RedfishFailure(e.Method, e.Url, e.StatusCode, e.BmcMessages), e);
            }
        }
    }

    private static string? Adjust(JsonObject body, RedfishException e, Uri image, HashSet<string> adjusted)
    {
        bool Missing(string name) => e.HasMessageId("ActionParameterMissing") && e.Mentions(name) && !body.ContainsKey(name);
        bool Refused(string name) => body.ContainsKey(name) && e.Mentions(name)
            && (e.HasMessageId("ActionParameterNotSupported") || e.HasMessageId("ActionParameterUnknown") || e.HasMessageId("PropertyUnknown")
                || e.HasMessageId("ActionParameterValueNotInList") || e.HasMessageId("PropertyValueNotInList"));

        if (Missing("TransferProtocolType") && adjusted.Add("TransferProtocolType"))
        {
            body["TransferProtocolType"] = TransferProtocolOf(image);
            return $"with TransferProtocolType {body["TransferProtocolType"]}";
        }
        foreach (var name in new[] { "UserName", "Password" })
        {
            // The image server needs no credentials: BMCs that insist on the field get an empty one.
            if (Missing(name) && adjusted.Add(name))
            {
                body[name] = "";
                return $"with an empty {name}";
            }
        }
        foreach (var name in new[] { "Inserted", "WriteProtected" })
        {
            if (Missing(name) && adjusted.Add(name))
            {
                body[name] = true;
                return $"with {name}=true";
            }
            if (Refused(name) && adjusted.Add("-" + name))
            {
                body.Remove(name);
                return $"without {name}";
            }
        }
        return null;
    }

    /// <summary>The Redfish TransferProtocolType for an image URL's scheme.</summary>
    public static string TransferProtocolOf(Uri image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Scheme.ToUpperInvariant() switch
        {
            "HTTPS" => "HTTPS",
            "HTTP" => "HTTP",
            "NFS" => "NFS",
            "CIFS" or "SMB" => "CIFS",
            "FTP" => "FTP",
            "SFTP" => "SFTP",
            var other => throw new ArgumentException($"The image URL scheme '{other.ToLowerInvariant()}' has no Redfish transfer protocol; serve the image over http or https.", nameof(image)),
        };
    }

    private async Task PatchInsertAsync(VirtualMediaSlot slot, Uri image, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["Image"] = image.AbsoluteUri, ["Inserted"] = true, ["WriteProtected"] = true };
        try
        {
            await client.PatchAsync(slot.Path, body, slot.ETag, retryWhenInUse: false, cancellationToken).ConfigureAwait(false);
        }
        catch (RedfishActionRefusedException e)
        {
            throw new RedfishActionRefusedException(
                $"The BMC at {client.Options.BmcAddress} refused the PATCH that inserts {image} into {slot.Path}: {Said(e)}{UrlAdvice(image)}",
                new RedfishFailure(e.Method, e.Url, e.StatusCode, e.BmcMessages), e);
        }
    }

    /// <summary>Ejects every CD/DVD slot that holds media; returns the slots as read afterwards.</summary>
    public async Task<IReadOnlyList<VirtualMediaSlot>> EjectAsync(CancellationToken cancellationToken)
    {
        var slots = await CdSlotsAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<VirtualMediaSlot>();
        foreach (var slot in slots)
        {
            result.Add(slot.HoldsMedia ? await EjectSlotAsync(slot, cancellationToken).ConfigureAwait(false) : slot);
        }
        return result;
    }

    /// <summary>
    /// Ejects one slot: EjectMedia with an empty body, then with <c>{}</c> when that is refused,
    /// or a PATCH when the slot has no action. A slot that reads empty afterwards is success
    /// whatever the BMC answered.
    /// </summary>
    public async Task<VirtualMediaSlot> EjectSlotAsync(VirtualMediaSlot slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        RedfishException? refusal = null;
        try
        {
            if (slot.EjectTarget is { } target)
            {
                try
                {
                    await client.PostAsync(target, null, cancellationToken).ConfigureAwait(false);
                }
                catch (RedfishActionRefusedException e) when (e.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType)
                {
                    client.Options.Log?.Invoke($"EjectMedia on {slot.Path} refused an empty body; retrying with {{}}");
                    await client.PostAsync(target, new JsonObject(), cancellationToken).ConfigureAwait(false);
                }
            }
            else if (slot.Patchable)
            {
                await client.PatchAsync(slot.Path, new JsonObject { ["Image"] = null, ["Inserted"] = false }, slot.ETag, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new RedfishActionRefusedException(
                    $"The virtual media slot {slot.Path} at {client.Options.BmcAddress} offers neither EjectMedia nor PATCH; eject it from the BMC's own interface.",
                    RedfishFailure.None);
            }
        }
        catch (RedfishException e) when (e is RedfishActionRefusedException or RedfishBusyException && e.StatusCode is not null)
        {
            refusal = e;
        }

        var after = await VerifyAsync(slot.Path, s => !s.HoldsMedia, new VirtualMediaInsertOptions { VerifyTimeout = TimeSpan.FromSeconds(refusal is null ? 30 : 0) }, cancellationToken).ConfigureAwait(false);
        if (!after.HoldsMedia)
        {
            if (refusal is not null) client.Options.Log?.Invoke($"{slot.Path} reads empty although the BMC answered {(int?)refusal.StatusCode}; counting it as ejected");
            return after;
        }
        throw new RedfishActionRefusedException(
            $"The BMC at {client.Options.BmcAddress} did not eject {slot.Path}: "
            + (refusal is null ? $"it accepted the request but the slot still reads Image '{after.Image}', Inserted {after.Inserted}." : Said(refusal))
            + " Eject it from the BMC's own interface, or try again later.",
            refusal is null ? new RedfishFailure("POST", client.Resolve(slot.Path), null, []) : new RedfishFailure(refusal.Method, refusal.Url, refusal.StatusCode, refusal.BmcMessages),
            refusal);
    }

    // Waits for the slot to read the image, then reads it once more after the settle time.
    private async Task<VirtualMediaSlot> VerifySettledAsync(string path, Uri image, VirtualMediaInsertOptions options, CancellationToken cancellationToken)
    {
        var slot = await VerifyAsync(path, s => s.HoldsHealthy(image), options, cancellationToken).ConfigureAwait(false);
        if (!slot.HoldsHealthy(image) || options.SettleTime <= TimeSpan.Zero) return slot;
        await Task.Delay(options.SettleTime, cancellationToken).ConfigureAwait(false);
        return await ReadSlotAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private async Task<VirtualMediaSlot> VerifyAsync(string path, Func<VirtualMediaSlot, bool> done, VirtualMediaInsertOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var slot = await ReadSlotAsync(path, cancellationToken).ConfigureAwait(false);
            if (done(slot) || clock.Elapsed >= options.VerifyTimeout) return slot;
            await Task.Delay(options.VerifyInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private const string ReplaceAdvice = "Eject it first (Set-VirtualMedia -Eject, ironic vmedia eject), or ask for it to be replaced (-Force, --force).";

    /// <summary>What a slot reads, in the BMC's own property names.</summary>
    private static string Describe(VirtualMediaSlot slot)
    {
        var parts = new List<string>();
        if (slot.Image is { Length: > 0 } url) parts.Add($"Image '{url}'");
        else if (slot.ImageName is { Length: > 0 } name) parts.Add($"ImageName '{name}'");
        if (slot.Inserted is { } inserted) parts.Add($"Inserted {inserted.ToString().ToLowerInvariant()}");
        return parts.Count == 0 ? "media it does not name" : string.Join(", ", parts);
    }

    private static string Said(RedfishException e)
    {
        var failure = new RedfishFailure(e.Method, e.Url, e.StatusCode, e.BmcMessages);
        return failure.BmcSaid.Length > 0
            ? $"it answered {(int?)e.StatusCode} and said: {failure.BmcSaid.TrimEnd('.')}."
            : $"it answered {(int?)e.StatusCode} without saying why.";
    }

    // DESIGN.md: BMCs want URLs that end in .iso, carry no query string and stay short.
    private static string UrlAdvice(Uri image)
    {
        var advice = new List<string>();
        if (!image.AbsolutePath.EndsWith(".iso", StringComparison.OrdinalIgnoreCase)) advice.Add("end in .iso");
        if (image.Query.Length > 0) advice.Add("carry no query string");
        if (image.AbsoluteUri.Length > 255) advice.Add("stay under 255 characters");
        return advice.Count == 0 ? " Check that the BMC can reach the URL." : $" Many BMCs want image URLs that {string.Join(", ", advice)}.";
    }
}
