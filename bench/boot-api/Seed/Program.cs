using System.Globalization;
using Ironic.Core.Inventory;

// usage: Seed STORE COUNT MACS_FILE
if (args.Length != 3 || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var count))
{
    Console.Error.WriteLine("usage: Seed STORE COUNT MACS_FILE");
    return 2;
}
await using var store = InventoryStores.Open(StoreLocation.Resolve(args[0]));
await store.MigrateAsync(CancellationToken.None);
await using var macs = new StreamWriter(args[2]);
for (var i = 0; i < count; i++)
{
    // Locally administered MACs 02:00:00:xx:xx:xx, written in the hyphen form iPXE sends.
    var mac = string.Create(CultureInfo.InvariantCulture, $"02:00:00:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}");
    var node = await store.CreateNodeAsync(new Node
    {
        Name = string.Create(CultureInfo.InvariantCulture, $"bench-{i:D5}"),
        ProvisionState = ProvisionStates.WaitCallback,
        InstanceInfo = new Dictionary<string, string>
        {
            ["kernel"] = "http://10.0.0.1:6385/v1/images/ipa/vmlinuz",
            ["ramdisk"] = "http://10.0.0.1:6385/v1/images/ipa/initrd.img",
            ["ramdisk_kernel_arguments"] = string.Create(CultureInfo.InvariantCulture, $"console=ttyS0 ipa-api-url=http://10.0.0.1:6385 node={i}"),
        },
    }, CancellationToken.None);
    await store.CreatePortAsync(new Port(mac, node.Uuid), CancellationToken.None);
    await macs.WriteLineAsync(mac.Replace(':', '-'));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {count} nodes into {args[0]}"));
return 0;
