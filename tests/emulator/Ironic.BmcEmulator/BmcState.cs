using System.Text.Json.Nodes;

namespace Ironic.BmcEmulation;

/// <summary>
/// What the emulated BMC holds now: power, boot override, virtual media slots and what it downloaded.
/// Every read is a consistent snapshot; the emulator changes it only through Redfish requests.
/// </summary>
public sealed class BmcState
{
    internal readonly Lock Gate = new();
    private readonly Dictionary<string, SlotRuntime> _slots;
    private readonly List<BootRecord> _boots = [];

    internal BmcState(ResourceTree tree, string systemPath, IEnumerable<string> slotPaths)
    {
        Tree = tree;
        SystemPath = systemPath;
        _slots = slotPaths.ToDictionary(p => p, p => new SlotRuntime(), StringComparer.Ordinal);
    }

    internal ResourceTree Tree { get; }

    /// <summary>The @odata.id of the (first) ComputerSystem.</summary>
    public string SystemPath { get; }

    /// <summary>The System's PowerState: "On", "Off", or "PoweringOn"/"PoweringOff" during a transition.</summary>
    public string PowerState
    {
        get { lock (Gate) return System["PowerState"]?.GetValue<string>() ?? "Off"; }
    }

    public BootOverride Boot
    {
        get
        {
            lock (Gate)
            {
                var boot = System["Boot"] as JsonObject;
                return new BootOverride(
                    boot?["BootSourceOverrideTarget"]?.GetValue<string>() ?? "None",
                    boot?["BootSourceOverrideEnabled"]?.GetValue<string>() ?? "Disabled",
                    boot?["BootSourceOverrideMode"]?.GetValue<string>());
            }
        }
    }

    /// <summary>Every virtual media slot, in @odata.id order.</summary>
    public IReadOnlyList<VirtualMediaSlotState> Slots
    {
        get { lock (Gate) return _slots.Keys.Order(StringComparer.Ordinal).Select(SnapshotLocked).ToArray(); }
    }

    /// <summary>The slot a client should pick: the first whose MediaTypes has CD or DVD and that takes an image
    /// (has an InsertMedia action; on a PATCH-only BMC, any CD/DVD slot). OpenBMC's proxy Slot_0 is skipped.</summary>
    public VirtualMediaSlotState CdSlot
    {
        get
        {
            string[] candidates;
            lock (Gate)
            {
                candidates = _slots.Keys.Order(StringComparer.Ordinal)
                    .Where(p => Tree.Find(p)?["MediaTypes"] is System.Text.Json.Nodes.JsonArray types
                        && types.Any(t => t?.GetValue<string>() is "CD" or "DVD"))
                    .OrderBy(p => Tree.Find(p)?["Actions"]?["#VirtualMedia.InsertMedia"] is null && HasInsertAction ? 1 : 0)
                    .ToArray();
            }
            return candidates.Length > 0
                ? Slot(candidates[0])
                : throw new InvalidOperationException("The mockup has no virtual media slot with CD or DVD in MediaTypes.");
        }
    }

    /// <summary>Whether any slot has an InsertMedia action (false on a PATCH-only BMC).</summary>
    private bool HasInsertAction => _slots.Keys.Any(p => Tree.Find(p)?["Actions"]?["#VirtualMedia.InsertMedia"] is not null);

    /// <summary>A slot by its Id ("CD", "2", "EXT1") or its @odata.id.</summary>
    public VirtualMediaSlotState Slot(string idOrPath)
    {
        var all = Slots;
        return all.FirstOrDefault(s => s.Id == idOrPath || s.Path == ResourceTree.Normalize(idOrPath))
            ?? throw new ArgumentException($"No virtual media slot '{idOrPath}'; the slots are: {string.Join(", ", all.Select(s => s.Path))}.", nameof(idOrPath));
    }

    /// <summary>Every boot since start (power on from off, or a restart), oldest first: the device it booted from
    /// and, for a CD/USB target, the image inserted then. Tells a deploy test what the node really booted.</summary>
    public IReadOnlyList<BootRecord> Boots
    {
        get { lock (Gate) return _boots.ToArray(); }
    }

    /// <summary>Sessions currently open (created and not deleted).</summary>
    public int SessionCount
    {
        get { lock (Gate) return Tree.All.Count(r => r.Value["@odata.type"]?.GetValue<string>()?.StartsWith("#Session.", StringComparison.Ordinal) == true); }
    }

    /// <summary>Waits until the slot's latest download has ended (Completed, Failed, Cancelled or Probed) and returns it.
    /// If nothing was ever inserted into the slot (a 202 task still running, say), it first waits for an insert; the
    /// token bounds the wait.</summary>
    public async Task<ImageDownload> WaitForDownloadAsync(string idOrPath, CancellationToken cancellationToken)
    {
        var path = Slot(idOrPath).Path;
        Task firstInsert;
        lock (Gate) firstInsert = _slots[path].FirstInsert.Task;
        await firstInsert.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task finished;
        lock (Gate) finished = _slots[path].Finished.Task;
        await finished.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Slot(path).Download;
    }

    internal JsonObject System => Tree.Find(SystemPath)!;

    internal bool IsSlot(string path) => _slots.ContainsKey(path);

    internal IEnumerable<string> SlotPathsLocked() => _slots.Keys.Order(StringComparer.Ordinal);

    internal void AddBootLocked(BootRecord boot) => _boots.Add(boot);

    internal SlotRuntime Runtime(string path) => _slots[path];

    private VirtualMediaSlotState SnapshotLocked(string path)
    {
        var slot = Tree.Find(path)!;
        var runtime = _slots[path];
        return new VirtualMediaSlotState(
            slot["Id"]?.GetValue<string>() ?? path[(path.LastIndexOf('/') + 1)..],
            path,
            (slot["MediaTypes"] as JsonArray)?.Select(t => t?.GetValue<string>() ?? "").ToArray() ?? [],
            slot["Image"]?.GetValue<string>(),
            slot["Inserted"]?.GetValue<bool>() ?? false,
            slot["WriteProtected"]?.GetValue<bool>() ?? true,
            slot["TransferProtocolType"]?.GetValue<string>(),
            runtime.Download);
    }
}

/// <summary>The per-slot state that is not in the JSON: the download and its cancellation.</summary>
internal sealed class SlotRuntime
{
    public ImageDownload Download { get; set; } = ImageDownload.NotStarted;

    public CancellationTokenSource? DownloadCancellation { get; set; }

    /// <summary>Completed by the first insert through Redfish (not by a pre-inserted busy image).</summary>
    public TaskCompletionSource FirstInsert { get; } = NewFinished(completed: false);

    /// <summary>Completed when the current download ends; a new insert replaces it.</summary>
    public TaskCompletionSource Finished { get; set; } = NewFinished(completed: true);

    public static TaskCompletionSource NewFinished(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed) tcs.SetResult();
        return tcs;
    }
}
