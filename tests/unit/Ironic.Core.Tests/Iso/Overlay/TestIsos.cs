using System.Security.Cryptography;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// Bootable test ISOs from ../shared/tools/make-test-iso.sh, built once and cached on disk under a
/// key made of the script's hash and the options, so a test run (and the next one) builds each
/// layout once. Used as a class fixture: the constructor does the (cached) builds.
/// </summary>
public sealed class TestIsos
{
    private static readonly object Gate = new();

    public TestIsos()
    {
        Both = Build("both");
        IsoOnly = Build("iso");
    }

    /// <summary>GRUB config on the ISO and inside efiboot.img (Fedora/RHEL style).</summary>
    public string Both { get; }

    /// <summary>GRUB config only on the ISO (Ubuntu style).</summary>
    public string IsoOnly { get; }

    public static string Script
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (dir is not null)
            {
                foreach (var candidate in new[] { Path.Combine(dir, "shared", "tools", "make-test-iso.sh"), Path.Combine(dir, "..", "shared", "tools", "make-test-iso.sh") })
                {
                    if (File.Exists(candidate)) return Path.GetFullPath(candidate);
                }
                dir = Path.GetDirectoryName(dir);
            }
            var env = Environment.GetEnvironmentVariable("IRONIC_MAKE_TEST_ISO");
            return env is not null && File.Exists(env) ? env : throw new InvalidOperationException("make-test-iso.sh not found: check out ../shared/tools next to the repository or set IRONIC_MAKE_TEST_ISO.");
        }
    }

    public static string BootScript => Path.Combine(Path.GetDirectoryName(Script)!, "boot-iso.sh");

    /// <summary>Builds (or reuses) a fixture for the given layout and extra options.</summary>
    public static string Build(string layout, params string[] extra)
    {
        var script = Script;
        var key = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(script))).ToLowerInvariant()[..16];
        var suffix = string.Join("-", extra.Select(e => e.TrimStart('-')));
        var cache = Path.Combine(Environment.GetEnvironmentVariable("IRONIC_TEST_CACHE") ?? Path.Combine(Path.GetTempPath(), "ironic-test-isos"), key);
        var target = Path.Combine(cache, $"{layout}{(suffix.Length > 0 ? "-" + suffix : "")}.iso");
        lock (Gate)
        {
            if (File.Exists(target)) return target;
            Directory.CreateDirectory(cache);
            var temp = target + $".{Environment.ProcessId}.tmp";
            var r = ExternalTool.Run("bash", "bash", [script, temp, "--layout", layout, .. extra], TimeSpan.FromMinutes(10));
            if (r.ExitCode != 0 || !File.Exists(temp))
            {
                throw new InvalidOperationException($"make-test-iso.sh failed ({r.ExitCode}): {r.Error}{r.Output}. It needs xorriso isolinux syslinux-common grub-efi-amd64-bin mtools dosfstools busybox-static cpio (install them).");
            }
            File.Move(temp, target, overwrite: true);
            return target;
        }
    }

    /// <summary>A fresh scratch directory for one test.</summary>
    public static string ScratchDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ironic-iso-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
