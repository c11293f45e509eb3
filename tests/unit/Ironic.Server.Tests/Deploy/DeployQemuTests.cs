using System.Security.Cryptography;
using Ironic.BmcEmulation;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests.Deploy;

[CollectionDefinition("Qemu", DisableParallelization = true)]
public sealed class QemuCollection;

/// <summary>
/// The bytes a BMC fetched for a node boot under qemu with that node's kernel parameters: one
/// node through BIOS (ISOLINUX), one through UEFI (GRUB in the El Torito FAT image).
/// </summary>
[Collection("Qemu")]
public sealed class DeployQemuTests
{
    [Fact]
    public async Task TheIsoEachBmcFetched_BootsWithThatNodesParameters()
    {
        if (!File.Exists("/usr/bin/qemu-system-x86_64")) throw new InvalidOperationException("qemu-system-x86_64 is missing: install qemu-system-x86 and ovmf.");
        await using var h = await DeployHarness.StartAsync();
        var baseUrl = h.ServeBaseIso();
        var bootScript = DeployHarness.FindSharedTool("boot-iso.sh");
        var scratch = Path.Combine(h.Root, "boots");
        Directory.CreateDirectory(scratch);
        foreach (var (name, firmware) in new[] { ("qemu-bios", "bios"), ("qemu-uefi", "uefi") })
        {
            var (node, bmc) = await DeployEndToEndTests.AddRedfishNodeAsync(h, name);
            await using (bmc)
            {
                await h.Deploy.DeployAsync(name, new DeployRequest { BootIso = baseUrl, KernelParameters = [$"deploy_test={name}"] }, null, CancellationToken.None);
                using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                var download = await bmc.State.WaitForDownloadAsync(bmc.State.CdSlot.Path, wait.Token);
                Assert.Equal(ImageDownloadStatus.Completed, download.Status);

                // The same URL the BMC read; its bytes must be the ones the BMC hashed.
                using var http = new HttpClient();
                var bytes = await http.GetByteArrayAsync(download.Url);
                Assert.Equal(download.Sha256, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());
                var iso = Path.Combine(scratch, name + ".iso");
                await File.WriteAllBytesAsync(iso, bytes);

                var (exit, output) = DeployHarness.Run("bash", [bootScript, iso, "--firmware", firmware, "--timeout", "240", "--expect", $"deploy_test={name}", "--expect", $"ironic_node={name}"], TimeSpan.FromMinutes(5));
                Assert.True(exit == 0, $"{firmware} boot of {name}'s ISO: exit {exit}: {output}");
                Assert.Contains($"deploy_test={name}", output, StringComparison.Ordinal);
            }
        }
    }
}
