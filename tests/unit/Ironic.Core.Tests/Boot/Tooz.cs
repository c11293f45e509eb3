using System.Diagnostics;
using System.Text.Json;

namespace Ironic.Core.Tests.Boot;

/// <summary>
/// Asks Debian's python3-tooz (tooz_owners.py) which host its HashRing gives each key: the
/// reference the ring must match. Also linked into the server tests.
/// </summary>
internal static class Tooz
{
    private const string DebianPython = "/usr/bin/python3";

    /// <summary>For each (hosts, exponent) ring, the owner tooz gives every key.</summary>
    public static async Task<Dictionary<string, string>[]> OwnersAsync((string[] Hosts, int Exponent)[] rings, string[] keys)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Boot", "tooz_owners.py");
        if (!File.Exists(DebianPython))
        {
            Assert.Fail($"{DebianPython} is missing: install Debian's python3 and python3-tooz (apt-get install python3-tooz) to check the ring against tooz.");
        }
        var start = new ProcessStartInfo(DebianPython, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var request = new Dictionary<string, object>
        {
            ["rings"] = rings.Select(r => new Dictionary<string, object> { ["hosts"] = r.Hosts, ["exponent"] = r.Exponent }).ToArray(),
            ["keys"] = keys,
        };
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(request));
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Assert.Fail($"tooz_owners.py failed (exit {process.ExitCode}); install python3-tooz (apt-get install python3-tooz). stderr: {await error}");
        }
        return JsonSerializer.Deserialize<Dictionary<string, string>[]>(await output)!;
    }
}
