using Ironic.Core.Hardware;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Hardware;

public class FakeHardwareTests
{
    [Fact]
    public async Task Deploy_Sequence_IsRecordedInOrder_AndMovesTheState()
    {
        var fake = new FakeHardware(Guid.NewGuid());
        var image = new Uri("http://127.0.0.1:6385/v1/images/n1/boot.iso");

        await fake.SetPowerStateAsync(PowerAction.ForceOff, default);
        await fake.EjectVirtualMediaAsync(default);
        await fake.InsertVirtualMediaAsync(image, default);
        await fake.SetBootDeviceAsync(BootDevice.Cd, once: true, null, default);
        Assert.Equal((BootDevice.Cd, true), fake.BootDevice);
        await fake.SetPowerStateAsync(PowerAction.On, default);

        Assert.Equal(
            ["SetPowerState ForceOff", "EjectVirtualMedia ", $"InsertVirtualMedia {image}", "SetBootDevice Cd once", "SetPowerState On"],
            fake.Calls.Select(c => $"{c.Operation} {c.Argument}"));
        Assert.Equal(HardwarePowerState.On, await fake.GetPowerStateAsync(default));
        Assert.Equal(image, fake.InsertedImage);
        Assert.Null(fake.BootDevice); // the one-time override was used by that boot
    }

    [Fact]
    public async Task Calls_FromManyThreads_AreAllRecorded()
    {
        var fake = new FakeHardware(Guid.NewGuid());
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            for (var j = 0; j < 100; j++) await fake.SetBootDeviceAsync(BootDevice.Pxe, once: false, null, default);
        })));
        Assert.Equal(1600, fake.Calls.Count);
    }

    [Fact]
    public async Task Eject_ThenPowerOff_LeavesAnEmptyOffMachine()
    {
        var fake = new FakeHardware(Guid.NewGuid(), HardwarePowerState.On);
        await fake.InsertVirtualMediaAsync(new Uri("http://x/a.iso"), default);
        await fake.EjectVirtualMediaAsync(default);
        await fake.SetPowerStateAsync(PowerAction.GracefulShutdown, default);
        Assert.Null(fake.InsertedImage);
        Assert.Equal(HardwarePowerState.Off, fake.PowerState);
    }

    [Fact]
    public void Factory_GivesFakeNodesTheirOwnMachine_FromItsLab()
    {
        var factory = new NodeHardwareFactory();
        var node = new Node { Name = "f1", Driver = "fake" };
        var hardware = factory.Create(node);
        Assert.Same(hardware, factory.Create(node));
        Assert.Same(hardware, factory.Lab.For(node.Uuid));
        Assert.NotSame(hardware, factory.Create(new Node { Name = "f2", Driver = "FAKE" }));
    }

    [Fact]
    public void Factory_UnknownDriver_NamesTheKnownOnes_UntilRegistered()
    {
        var factory = new NodeHardwareFactory();
        var node = new Node { Name = "r1", Driver = "redfish" };
        var e = Assert.Throws<ArgumentException>(() => factory.Create(node));
        Assert.Contains("'redfish'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Known: fake", e.Message, StringComparison.Ordinal);

        var stand = new FakeHardware(node.Uuid);
        factory.Register(NodeHardwareFactory.Redfish, _ => stand);
        Assert.Same(stand, factory.Create(node));
        Assert.Equal(["fake", "redfish"], factory.HardwareTypes);
    }
}
