using System.Collections;
using System.Management.Automation;
using Ironic.Core.Inventory;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Changes a node: driver_info, instance_info, provision state and other fields, under its reservation.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "IronicNode", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
[OutputType(typeof(Node))]
public sealed class SetIronicNodeCommand : InventoryCmdlet
{
    private const string ByName = "ByName";
    private const string ByNode = "ByNode";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByName, ValueFromPipelineByPropertyName = true)]
    [Alias("Uuid")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NodeNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = ByNode, ValueFromPipeline = true)]
    [ValidateNotNull]
    public Node[] Node { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewName { get; set; }

    [Parameter]
    [ValidateSet("fake", "redfish")]
    public string? Driver { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BmcAddress { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SystemId { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>driver_info keys to set; a $null value removes the key.</summary>
    [Parameter]
    public Hashtable? DriverInfo { get; set; }

    /// <summary>instance_info keys to set; a $null value removes the key.</summary>
    [Parameter]
    public Hashtable? InstanceInfo { get; set; }

    [Parameter]
    public string[] RemoveDriverInfo { get; set; } = [];

    [Parameter]
    public string[] RemoveInstanceInfo { get; set; } = [];

    [Parameter]
    [ArgumentCompleter(typeof(ProvisionStateCompleter))]
    public string? ProvisionState { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ProvisionStateCompleter))]
    public string? TargetProvisionState { get; set; }

    [Parameter]
    [ValidateSet("power on", "power off", "unknown")]
    public string? PowerState { get; set; }

    [Parameter]
    public string? ConductorGroup { get; set; }

    [Parameter]
    public string? BootInterface { get; set; }

    [Parameter]
    public string? DeployInterface { get; set; }

    [Parameter]
    public SwitchParameter ClearLastError { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var unsetDriverInfo = new List<string>(RemoveDriverInfo);
        var unsetInstanceInfo = new List<string>(RemoveInstanceInfo);
        var changes = new NodeChanges
        {
            Name = NewName,
            Driver = Driver,
            BmcAddress = BmcAddress,
            SystemId = SystemId,
            Username = Credential?.UserName,
            Password = Credential?.GetNetworkCredential().Password,
            SetDriverInfo = ToStringDictionary(DriverInfo, unsetDriverInfo),
            UnsetDriverInfo = unsetDriverInfo,
            SetInstanceInfo = ToStringDictionary(InstanceInfo, unsetInstanceInfo),
            UnsetInstanceInfo = unsetInstanceInfo,
            ProvisionState = ProvisionState,
            TargetProvisionState = TargetProvisionState,
            PowerState = PowerState,
            ConductorGroup = ConductorGroup,
            BootInterface = BootInterface,
            DeployInterface = DeployInterface,
            ClearLastError = ClearLastError.IsPresent,
        };
        if (changes.IsEmpty)
        {
            await ThrowTerminatingErrorAsync(ErrorRecords.Create(
                new ArgumentException("Nothing to change: give at least one of -NewName, -BmcAddress, -InstanceInfo, -ProvisionState …"),
                "NothingToChange", ErrorCategory.InvalidArgument, null)).ConfigureAwait(false);
            return;
        }
        var targets = ParameterSetName == ByNode ? Node.Select(n => n.Uuid.ToString("D")).ToArray() : Name;
        foreach (var target in targets)
        {
            try
            {
                var store = await GetStoreAsync(cancellationToken).ConfigureAwait(false);
                var node = await NodeRegistration.GetAsync(store, target, cancellationToken).ConfigureAwait(false);
                changes.ApplyTo(node); // refuse bad values before asking
                if (!await ShouldProcessAsync(node.Name, "Change node").ConfigureAwait(false)) continue;
                var updated = await NodeRegistration.UpdateAsync(store, node.Uuid.ToString("D"), changes, cancellationToken).ConfigureAwait(false);
                if (PassThru) WriteObject(updated.Redacted());
            }
            catch (Exception e) when (e is InventoryException or ArgumentException or FormatException)
            {
                WriteInventoryError(e, target);
            }
        }
    }
}

/// <summary>Completes Ironic's provision state names (quoted when they contain a space).</summary>
public sealed class ProvisionStateCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return ProvisionStates.Known
            .Where(s => s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(s => new CompletionResult(s.Contains(' ', StringComparison.Ordinal) ? $"'{s}'" : s, s, CompletionResultType.ParameterValue, s));
    }
}
