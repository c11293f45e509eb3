using System.Diagnostics;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>Runs a real tool (xorriso, isoinfo, python3 + pycdlib, qemu) and fails with "install X" when it is missing.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string tool, string debianPackage, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null)
    {
        var path = Locate(tool) ?? throw new InvalidOperationException($"'{tool}' is not installed: install the Debian package {debianPackage} (listed in .ci/packages.txt).");
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish in time.");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }

    public static Result RunChecked(string tool, string debianPackage, params string[] args)
    {
        var r = Run(tool, debianPackage, args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {r.ExitCode}: {r.Error}{r.Output}");
        return r;
    }

    private static string? Locate(string tool)
    {
        if (tool.Contains('/', StringComparison.Ordinal)) return File.Exists(tool) ? tool : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/bin", "/usr/sbin", "/bin"]))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
