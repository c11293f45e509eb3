using System.Collections;
using System.Management.Automation;
using Ironic.Core.Deploy;
using Ironic.Core.Iso;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Deploys nodes: from a boot ISO by virtual media, or from a kernel and ramdisk by iPXE.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "IronicDeploy", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
[OutputType(typeof(DeployStatus))]
public sealed class StartIronicDeployCommand : DeployCmdletBase
{
    /// <summary>URL (http, https, file) or path of the boot ISO.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BootIso { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Kernel { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Ramdisk { get; set; }

    /// <summary>KEY=VALUE or bare words.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] KernelParameter { get; set; } = [];

    /// <summary>Files to put into each node's ISO: @{ '/iso/path' = './local/file' } (as New-BootIso -InjectFile).</summary>
    [Parameter]
    public Hashtable? InjectFile { get; set; }

    /// <summary>ALGO:HEX or a bare md5/sha256/sha512 digest.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Checksum { get; set; }

    [Parameter]
    public SwitchParameter OneShot { get; set; }

    /// <summary>uefi or bios: the boot mode of the one-time boot (instance_info/deploy_boot_mode).</summary>
    [Parameter]
    [ValidateSet("uefi", "bios")]
    public string? BootMode { get; set; }

    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>Wait for iPXE deploys to call back (virtual media deploys are active when they return).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 1800;

    protected override async Task EndProcessingAsync(CancellationToken cancellationToken)
    {
        DeployRequest request;
        DeployConfiguration configuration;
        try
        {
            // Local paths resolve on the pipeline thread, before the first await.
            configuration = LoadConfiguration();
            var files = InjectFileTable.Resolve(InjectFile, SessionState);
            request = new DeployRequest
            {
                BootIso = BootIso is null ? null : ImageSource.Parse(BootIso).Location,
                Kernel = Kernel is null ? null : ImageSource.Parse(Kernel).Location,
                Ramdisk = Ramdisk is null ? null : ImageSource.Parse(Ramdisk).Location,
                KernelParameters = KernelParameter,
                Checksum = Checksum is null ? null : ImageChecksum.Parse(Checksum),
                OneShot = OneShot.IsPresent,
                BootMode = BootMode is null ? null : DeployBootMode.Parse(BootMode),
                Files = await BootIsoService.ReadInjectFilesAsync(files, cancellationToken).ConfigureAwait(false),
            };
            request.Validate();
        }
        catch (Exception e) when (e is ArgumentException or ImageCacheException || IsConfigurationError(e))
        {
            await ThrowTerminatingErrorAsync(ErrorRecords.FromException(e, null)).ConfigureAwait(false);
            return;
        }
        var what = request.BootIso is not null ? $"Deploy from boot ISO {request.BootIso}" : $"Deploy kernel {request.Kernel} with ramdisk {request.Ramdisk}";
        var approved = new List<string>();
        foreach (var node in Targets)
        {
            if (await ShouldProcessAsync(node, what).ConfigureAwait(false)) approved.Add(node);
        }
        if (approved.Count == 0) return;
        await using var session = await OpenSessionAsync(configuration, cancellationToken).ConfigureAwait(false);
        await RunAsync(approved, ThrottleLimit, "Deploying", async (node, progress, ct) =>
        {
            var after = await session.Deploy.DeployAsync(node, request, progress, ct).ConfigureAwait(false);
            if (Wait) after = await session.Deploy.WaitAsync(node, TimeSpan.FromSeconds(TimeoutSec), ct).ConfigureAwait(false);
            return DeployStatus.FromNode(after);
        }, cancellationToken).ConfigureAwait(false);
    }
}
