using System.Collections;
using System.Management.Automation;
using Ironic.Core.Inventory;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Enrolls a bare-metal node in the inventory, with a port for each MAC address.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "IronicNode", SupportsShouldProcess = true)]
[OutputType(typeof(Node))]
public sealed class NewIronicNodeCommand : InventoryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("fake", "redfish")]
    public string Driver { get; set; } = NodeRequestRules.Fake;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? BmcAddress { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? SystemId { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] MacAddress { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string ConductorGroup { get; set; } = "";

    [Parameter]
    public string? BootInterface { get; set; }

    [Parameter]
    public string? DeployInterface { get; set; }

    [Parameter]
    public Hashtable? DriverInfo { get; set; }

    [Parameter]
    public Hashtable? InstanceInfo { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var request = new NewNodeRequest
        {
            Name = Name,
            Driver = Driver,
            BmcAddress = BmcAddress,
            SystemId = SystemId,
            Username = Credential?.UserName,
            Password = Credential?.GetNetworkCredential().Password,
            MacAddresses = MacAddress,
            ConductorGroup = ConductorGroup,
            BootInterface = BootInterface,
            DeployInterface = DeployInterface,
            DriverInfo = ToStringDictionary(DriverInfo),
            InstanceInfo = ToStringDictionary(InstanceInfo),
        };
        try
        {
            request.ToNode(); // refuse bad input before asking for confirmation
            if (!await ShouldProcessAsync(Name, $"Enroll node ({Driver}, {MacAddress.Length} port(s))").ConfigureAwait(false)) return;
            var store = await GetStoreAsync(cancellationToken).ConfigureAwait(false);
            var node = await NodeRegistration.CreateAsync(store, request, cancellationToken).ConfigureAwait(false);
            WriteObject(node.Redacted());
        }
        catch (Exception e) when (e is InventoryException or ArgumentException or FormatException)
        {
            WriteInventoryError(e, Name);
        }
    }
}
