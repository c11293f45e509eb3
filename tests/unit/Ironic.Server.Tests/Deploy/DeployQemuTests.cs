using System.Security.Cryptography;
using Ironic.BmcEmulation;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests.Deploy;

[CollectionDefinition("Qemu", DisableParallelization = true)]
public sealed class QemuCollection;

/// <summary>
/// Fifty nodes deployed at once from one base ISO; the bytes three of their BMCs fetched boot
/// under qemu with that node's kernel parameters: through BIOS (ISOLINUX) and UEFI (GRUB in the
/// El Torito FAT image).
/// </summary>
[Collection("Qemu")]
public sealed class DeployQemuTests
{
    [Fact]
    public async Task FiftyNodesAtOnce_TheIsosTheirBmcsFetched_BootWithEachNodesParameters()
    {
        if (!File.Exists("/usr/bin/qemu-system-x86_64")) throw new InvalidOperationException("qemu-system-x86_64 is missing: install qemu-system-x86 and ovmf.");
        await using var h = await DeployHarness.StartAsync();
        var baseUrl = h.ServeBaseIso();
        var bootScript = DeployHarness.FindSharedTool("boot-iso.sh");
        var scratch = Path.Combine(h.Root, "boots");
        Directory.CreateDirectory(scratch);
        var machines = new List<(Node Node, BmcEmulator Bmc)>();
        try
        {
            for (var i = 0; i < 50; i++) machines.Add(await DeployEndToEndTests.AddRedfishNodeAsync(h, $"qemu-{i:00}"));
            await Task.WhenAll(machines.Select(m =>
                h.Deploy.DeployAsync(m.Node.Name, new DeployRequest { BootIso = baseUrl, KernelParameters = [$"deploy_test={m.Node.Name}"] }, null, CancellationToken.None)));

            foreach (var (index, firmware) in new[] { (0, "bios"), (24, "uefi"), (49, "bios") })
            {
                var (node, bmc) = machines[index];
                using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                var download = await bmc.State.WaitForDownloadAsync(bmc.State.CdSlot.Path, wait.Token);
                Assert.Equal(ImageDownloadStatus.Completed, download.Status);

                // The same URL the BMC read; its bytes must be the ones the BMC hashed.
                using var http = new HttpClient();
                var bytes = await http.GetByteArrayAsync(download.Url);
                Assert.Equal(download.Sha256, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());
                var iso = Path.Combine(scratch, node.Name + ".iso");
                await File.WriteAllBytesAsync(iso, bytes);

                var (exit, output) = DeployHarness.Run("bash", [bootScript, iso, "--firmware", firmware, "--timeout", "240", "--expect", $"deploy_test={node.Name}", "--expect", $"ironic_node={node.Name}"], TimeSpan.FromMinutes(5));
                Assert.True(exit == 0, $"{firmware} boot of {node.Name}'s ISO: exit {exit}: {output}");
                Assert.Contains($"deploy_test={node.Name}", output, StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var (_, bmc) in machines) await bmc.DisposeAsync();
        }
    }
}
