using System.Management.Automation;
using Ironic.Core.Inventory;
using Ironic.Core.Redfish;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// What every BMC cmdlet shares: where the BMC is (-BmcAddress, or a node from the pipeline),
/// the credential, the system, TLS, the timeout, and -Verbose lines for each request. -Store is
/// the inventory a piped node's hidden password is read back from.
/// </summary>
public abstract class BmcCmdletBase : InventoryCmdlet
{
    /// <summary>
    /// The BMC's address, e.g. https://10.0.0.10 (a bare host means https). Binds from a property
    /// named BmcAddress, Bmc or RedfishAddress. A string, not a Uri, so that a piped node's own
    /// BmcAddress property (which may lack the scheme) binds without a conversion error.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Bmc", "RedfishAddress")]
    public string? BmcAddress { get; set; }

    /// <summary>A node from the inventory (Get-IronicNode); its driver_info gives the BMC, system and credentials.</summary>
    [Parameter(ValueFromPipeline = true)]
    public Node? Node { get; set; }

    /// <summary>The BMC user and password (for a node: instead of its stored ones).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The system: a path (/redfish/v1/Systems/1) or an id; default: the BMC's only system.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("SystemPath", "RedfishSystemId")]
    public string? SystemId { get; set; }

    /// <summary>Do not verify the BMC's TLS certificate (as in Invoke-RestMethod).</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>A PEM file of CA certificates to trust for the BMC.</summary>
    [Parameter]
    public string? CaBundle { get; set; }

    /// <summary>Seconds to wait for power changes and media insertion.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 300;

    /// <summary>What the cmdlet acts on, for ShouldProcess and error targets.</summary>
    protected string TargetName => (Node is null ? BmcAddress ?? "(no BMC)" : $"node {Node.Name}") + (SystemId is null ? "" : $" {SystemId}");

    /// <summary>
    /// The hardware for this record: the piped node's BMC (its stored credentials, read back from
    /// the inventory when the node object hides them, unless -Credential is given), else
    /// -BmcAddress with -Credential.
    /// </summary>
    protected async Task<RedfishHardware> OpenHardwareAsync(CancellationToken cancellationToken, bool forceOffAfterGracefulTimeout = false)
    {
        RedfishNodeTarget target;
        if (Node is not null)
        {
            target = Credential is null
                ? await RedfishNodeTarget.FromNodeAsync(Node, GetStoreAsync, cancellationToken).ConfigureAwait(false)
                : RedfishNodeTarget.FromNode(Node);
            // A piped node also binds its BmcAddress property to -BmcAddress; only a different address is a conflict.
            if (BmcAddress is not null && (!RedfishNodeTarget.TryParseBmcAddress(BmcAddress, out var given) || given != target.BmcAddress))
            {
                throw new ArgumentException($"-BmcAddress {BmcAddress} is not the BMC of node {Node.Name} ({target.BmcAddress}): give a node or an address, not both.");
            }
        }
        else if (BmcAddress is null)
        {
            throw new ArgumentException("Say which BMC: pass -BmcAddress https://host (with -Credential), or pipe a node from Get-IronicNode.");
        }
        else if (RedfishNodeTarget.TryParseBmcAddress(BmcAddress, out var address))
        {
            target = new RedfishNodeTarget(address, null, null, null, VerifyTls: true);
        }
        else
        {
            throw new ArgumentException($"-BmcAddress '{BmcAddress}' is not a URL; give it as https://host[:port].");
        }
        var caBundle = CaBundle is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(CaBundle);
        // The node's own credentials, unless -Credential gives others.
        target = target.WithOverrides(SystemId, Credential is not null, Credential?.UserName, Credential?.GetNetworkCredential().Password, SkipCertificateCheck.IsPresent, caBundle);
        return target.OpenForCommand(TimeSpan.FromSeconds(TimeoutSec), forceOffAfterGracefulTimeout, WriteVerbose);
    }

    /// <summary>Runs one BMC operation; a failure becomes a non-terminating error for this record.</summary>
    protected async Task RunAsync(Func<RedfishHardware, Task> work, CancellationToken cancellationToken, bool forceOffAfterGracefulTimeout = false)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            await using var hardware = await OpenHardwareAsync(cancellationToken, forceOffAfterGracefulTimeout).ConfigureAwait(false);
            await work(hardware).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not PipelineStoppedException)
        {
            WriteError(ErrorRecords.FromException(e, (object?)Node ?? BmcAddress));
        }
    }
}
