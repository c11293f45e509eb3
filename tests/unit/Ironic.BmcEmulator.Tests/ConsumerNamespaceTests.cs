using System.Net;
using Ironic.BmcEmulation;

// Deliberately in another Ironic.* namespace, as the Core client tests will be: the type
// BmcEmulator must bind here (a namespace named Ironic.BmcEmulator would hide it).
namespace Ironic.Core.Tests.Redfish;

public class ConsumerNamespaceTests
{
    [Fact]
    public async Task BmcEmulator_IsUsableFromOtherIronicNamespaces()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.OpenBmc }, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = bmc.Address };

        using var root = await http.GetAsync("redfish/v1");

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("/redfish/v1/Systems/system", bmc.State.SystemPath);
    }
}
