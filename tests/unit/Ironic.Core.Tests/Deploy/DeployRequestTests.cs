using Ironic.Core.Deploy;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Deploy;

public class DeployRequestTests
{
    [Fact]
    public void ApplyTo_WritesIronicKeys_AndDropsThoseOfAPreviousDeploy()
    {
        var before = new Dictionary<string, string> { ["kernel"] = "http://old/k", ["ramdisk"] = "http://old/r", ["ramdisk_kernel_arguments"] = "console=tty0 quiet", ["other"] = "kept" };
        var request = new DeployRequest { BootIso = new Uri("http://img/x.iso"), KernelParameters = ["console=ttyS0", "ipa-debug=1"], Checksum = ImageChecksum.Parse("md5:" + new string('a', 32)), OneShot = true };

        var info = request.ApplyTo(before);

        Assert.Equal("http://img/x.iso", info["boot_iso"]);
        Assert.False(info.ContainsKey("kernel"));
        Assert.False(info.ContainsKey("ramdisk"));
        Assert.Equal("console=ttyS0 quiet ipa-debug=1", info["ramdisk_kernel_arguments"]);
        Assert.Equal("md5:" + new string('a', 32), info["image_checksum"]);
        Assert.Equal("true", info["one_shot"]);
        Assert.Equal("kept", info["other"]);
    }

    [Fact]
    public void KernelParameters_LayerModuleDefaultsNodeValuesAndTheDeploy_FillingInTheNode()
    {
        var node = new Node
        {
            Name = "r1",
            DriverInfo = new Dictionary<string, string> { ["kernel_append_params"] = "console=tty0 nofb" },
            InstanceInfo = new Dictionary<string, string> { ["ramdisk_kernel_arguments"] = "console=ttyS0,115200 ipa-debug=1" },
        };

        var parameters = KernelParameterList.For(node, ["ironic.node={node_uuid}", "console=ttyS1", "name={node_name}"]);

        Assert.Equal([$"ironic.node={node.Uuid:D}", "console=ttyS0,115200", "name=r1", "nofb", "ipa-debug=1"], parameters);
    }

    [Theory]
    [InlineData(null, "http://k", "http://r", null)]
    [InlineData("http://i.iso", null, null, null)]
    [InlineData(null, "http://k", null, "kernel and a ramdisk")]
    [InlineData("http://i.iso", "http://k", null, "not both")]
    [InlineData(null, null, null, "needs a boot ISO")]
    public void Validate_AcceptsAnIsoOrKernelPlusRamdisk(string? iso, string? kernel, string? ramdisk, string? error)
    {
        var request = new DeployRequest { BootIso = iso is null ? null : new Uri(iso), Kernel = kernel is null ? null : new Uri(kernel), Ramdisk = ramdisk is null ? null : new Uri(ramdisk) };
        if (error is null)
        {
            request.Validate();
            return;
        }
        var e = Assert.Throws<ArgumentException>(request.Validate);
        Assert.Contains(error, e.Message, StringComparison.Ordinal);
    }
}
