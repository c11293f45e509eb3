using System.Management.Automation;
using Ironic.Core.Inventory;
using Ironic.Core.Redfish;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// What every BMC cmdlet shares: where the BMC is (-BmcAddress, or a node from the pipeline),
/// the credential, the system, TLS, the timeout, and -Verbose lines for each request.
/// </summary>
public abstract class BmcCmdletBase : AsyncPSCmdlet
{
    /// <summary>The BMC's address, e.g. https://10.0.0.10. Binds from a property named BmcAddress, Bmc or RedfishAddress.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Bmc", "RedfishAddress")]
    public Uri? BmcAddress { get; set; }

    /// <summary>A node from the inventory (Get-IronicNode); its driver_info gives the BMC when -BmcAddress is absent.</summary>
    [Parameter(ValueFromPipeline = true)]
    public Node? Node { get; set; }

    /// <summary>The BMC user and password.</summary>
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
    protected string TargetName => (BmcAddress?.ToString() ?? (Node is null ? "(no BMC)" : $"node {Node.Name}")) + (SystemId is null ? "" : $" {SystemId}");

    /// <summary>The hardware for this record: -BmcAddress with -Credential, or the piped node's driver_info.</summary>
    protected RedfishHardware OpenHardware(bool forceOffAfterGracefulTimeout = false)
    {
        Uri address;
        string? system = SystemId;
        string? username = Credential?.UserName;
        string? password = Credential?.GetNetworkCredential().Password;
        var verify = !SkipCertificateCheck.IsPresent;
        var caBundle = CaBundle;
        if (BmcAddress is not null)
        {
            address = BmcAddress;
        }
        else if (Node is not null)
        {
            var target = RedfishNodeTarget.FromNode(Node);
            address = target.BmcAddress;
            system ??= target.SystemId;
            if (Credential is null)
            {
                username = target.Username;
                password = target.Password;
            }
            verify &= target.VerifyTls;
            caBundle ??= RedfishNodeTarget.CaBundleOf(Node);
        }
        else
        {
            throw new ArgumentException("Say which BMC: pass -BmcAddress https://host (with -Credential), or pipe a node from Get-IronicNode.");
        }
        if (caBundle is not null) caBundle = SessionState.Path.GetUnresolvedProviderPathFromPSPath(caBundle);
        var timeout = TimeSpan.FromSeconds(TimeoutSec);
        return new RedfishHardware(
            new RedfishClientOptions(address) { Username = username, Password = password, VerifyTls = verify, CaBundlePath = caBundle, Log = WriteVerbose },
            system)
        {
            PowerOptions = new RedfishPowerOptions { Timeout = timeout, ForceOffAfterGracefulTimeout = forceOffAfterGracefulTimeout },
            InsertOptions = new VirtualMediaInsertOptions { VerifyTimeout = timeout < TimeSpan.FromSeconds(60) ? timeout : TimeSpan.FromSeconds(60) },
        };
    }

    /// <summary>Runs one BMC operation; a failure becomes a non-terminating error for this record.</summary>
    protected async Task RunAsync(Func<RedfishHardware, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            await using var hardware = OpenHardware();
            await work(hardware).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not PipelineStoppedException)
        {
            WriteError(ErrorRecords.FromException(e, (object?)BmcAddress ?? Node));
        }
    }
}
