using Ironic.Core.Boot;
using Ironic.Core.Hardware;
using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>
/// What an operator asks a deploy for (Start-IronicDeploy, `ironic deploy start`): a boot ISO
/// (virtual media) or a kernel + ramdisk (iPXE), kernel parameters, a checksum, one-shot. It is
/// written into the node's instance_info under Ironic's key names, which the deploy then reads,
/// so a deploy asked for by any front (or by hand-edited instance_info) runs the same way.
/// </summary>
public sealed record DeployRequest
{
    public const string OneShotKey = "one_shot";
    public const string ImageChecksumKey = "image_checksum";

    public Uri? BootIso { get; init; }
    public Uri? Kernel { get; init; }
    public Uri? Ramdisk { get; init; }

    /// <summary>key=value or bare words, added to (and replacing same-key values of) instance_info/ramdisk_kernel_arguments.</summary>
    public IReadOnlyList<string> KernelParameters { get; init; } = [];

    public ImageChecksum? Checksum { get; init; }
    public bool OneShot { get; init; }

    /// <summary>The boot mode of the one-time boot (instance_info/deploy_boot_mode); null keeps what the node has, if anything.</summary>
    public BootMode? BootMode { get; init; }

    /// <summary>
    /// Files put into the node's ISO (ISO path → content, read by the front from local files when the
    /// deploy starts), after the module's own; they replace a file of that path or are added.
    /// They go into the overlay, not into instance_info: a deploy that only re-reads instance_info has none.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>Checks the combination: a boot ISO, or a kernel with a ramdisk, never both.</summary>
    public void Validate()
    {
        if (BootIso is not null && (Kernel is not null || Ramdisk is not null))
        {
            throw new ArgumentException("Give either a boot ISO (-BootIso / --boot-iso) or a kernel and a ramdisk (-Kernel and -Ramdisk / --kernel and --ramdisk), not both.");
        }
        if (BootIso is null && (Kernel is null || Ramdisk is null))
        {
            throw new ArgumentException("A deploy needs a boot ISO (-BootIso / --boot-iso URL), or both a kernel and a ramdisk (-Kernel URL -Ramdisk URL / --kernel URL --ramdisk URL).");
        }
        if (Files.Count > 0 && BootIso is null)
        {
            throw new ArgumentException("Files are injected into a boot ISO (-InjectFile / --inject-file need -BootIso / --boot-iso); a kernel and ramdisk deploy has no ISO to put them in.");
        }
        foreach (var parameter in KernelParameters)
        {
            if (string.IsNullOrWhiteSpace(parameter) || parameter.Any(char.IsWhiteSpace))
            {
                throw new ArgumentException($"The kernel parameter '{parameter}' is empty or contains whitespace; give each one separately as KEY=VALUE (or a bare word).");
            }
        }
    }

    /// <summary>The node's instance_info with this request applied (the other deploy keys of a previous deploy removed).</summary>
    public IReadOnlyDictionary<string, string> ApplyTo(IReadOnlyDictionary<string, string> instanceInfo)
    {
        ArgumentNullException.ThrowIfNull(instanceInfo);
        Validate();
        var info = new Dictionary<string, string>(instanceInfo, StringComparer.Ordinal);
        foreach (var key in new[] { IpxeScripts.BootIsoKey, IpxeScripts.KernelKey, IpxeScripts.RamdiskKey, ImageChecksumKey, "os_hash_algo", "os_hash_value", OneShotKey })
        {
            info.Remove(key);
        }
        if (BootIso is not null) info[IpxeScripts.BootIsoKey] = BootIso.ToString();
        if (Kernel is not null) info[IpxeScripts.KernelKey] = Kernel.ToString();
        if (Ramdisk is not null) info[IpxeScripts.RamdiskKey] = Ramdisk.ToString();
        if (Checksum is not null) info[ImageChecksumKey] = Checksum.ToString();
        if (OneShot) info[OneShotKey] = "true";
        if (BootMode is { } mode) info[DeployBootMode.Key] = DeployBootMode.Format(mode);
        if (KernelParameters.Count > 0)
        {
            var existing = info.GetValueOrDefault(IpxeScripts.KernelArgumentsKey, "");
            info[IpxeScripts.KernelArgumentsKey] = string.Join(' ', KernelParameterList.Merge(KernelParameterList.Split(existing), KernelParameters));
        }
        return info;
    }

    public Node ApplyTo(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node with { InstanceInfo = ApplyTo(node.InstanceInfo) };
    }
}
