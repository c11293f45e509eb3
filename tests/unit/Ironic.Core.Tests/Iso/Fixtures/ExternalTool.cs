using System.Diagnostics;

namespace Ironic.Core.Tests.Iso.Fixtures;

/// <summary>Runs a real tool (mkfs.vfat, mtools, xorriso, isoinfo) for tests; a missing tool fails with what to install.</summary>
public static class ExternalTool
{
    private static readonly Dictionary<string, string> DebianPackage = new(StringComparer.Ordinal)
    {
        ["mkfs.vfat"] = "dosfstools",
        ["fsck.fat"] = "dosfstools",
        ["mcopy"] = "mtools",
        ["mmd"] = "mtools",
        ["mdel"] = "mtools",
        ["mtype"] = "mtools",
        ["mdir"] = "mtools",
        ["xorriso"] = "xorriso",
        ["isoinfo"] = "genisoimage",
        ["genisoimage"] = "genisoimage",
        ["osirrox"] = "xorriso",
        ["7z"] = "p7zip-full",
        ["udfinfo"] = "udftools",
        ["mkudffs"] = "udftools",
        ["bash"] = "bash",
        ["cp"] = "coreutils",
    };

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string All => StandardOutput + StandardError;
    }

    /// <summary>Runs <paramref name="tool"/> and returns its output; throws when it exits non-zero unless <paramref name="allowFailure"/>.</summary>
    public static Result Run(string tool, IEnumerable<string> arguments, bool allowFailure = false, string? workingDirectory = null)
    {
        string path = Locate(tool);
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        // mtools refuses images whose geometry it finds odd unless told to skip the check.
        start.Environment["MTOOLS_SKIP_CHECK"] = "1";
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {path}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var result = new Result(process.ExitCode, stdout.Result, stderr.Result);
        if (!allowFailure && result.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.All}");
        return result;
    }

    public static Result Run(string tool, params string[] arguments) => Run(tool, (IEnumerable<string>)arguments);

    /// <summary>Runs <paramref name="tool"/> and returns its standard output as raw bytes (isoinfo -x, mtype); throws when it exits non-zero.</summary>
    public static byte[] RunForBytes(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(Locate(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        start.Environment["MTOOLS_SKIP_CHECK"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var stderr = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{stderr.Result}");
        return output.ToArray();
    }

    /// <summary>The tool's full path; fails with the Debian package to install when it is missing.</summary>
    public static string Locate(string tool)
    {
        if (Path.IsPathRooted(tool))
            return File.Exists(tool) ? tool : throw new InvalidOperationException($"{tool} is missing");
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        foreach (var dir in dirs.Where(d => d.Length > 0))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
                return candidate;
        }
        string package = DebianPackage.GetValueOrDefault(tool, tool);
        throw new InvalidOperationException($"{tool} is not installed: install {package} (apt-get install {package}; .ci/packages.txt lists it for CI).");
    }
}
