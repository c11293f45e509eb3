using System.Diagnostics;
using System.Reflection;

namespace Ironic.Cli.Tests.Examples;

/// <summary>
/// Runs the CLI twin of every runbook in examples/ (through tests/examples/run-cli-twins.sh)
/// with the real `ironic` build, standalone BMC emulators and test ISOs, and checks the outcome
/// the script asserts (media inserted, nodes active, scripts through both servers, KS.CFG on the ISO).
/// </summary>
[Collection("ExampleRunbooks")]
public sealed class ExampleRunbookTests
{
    private static readonly string Root = Metadata("RepositoryRoot");

    [Theory]
    [InlineData("boot-one-server")]
    [InlineData("deploy-rack")]
    [InlineData("two-boot-servers")]
    [InlineData("esxi-iso")]
    public async Task CliTwin_RunsAgainstTheBmcEmulator(string runbook)
    {
        Assert.True(File.Exists(Path.Combine(Root, "examples", runbook + ".sh")), $"examples/{runbook}.sh is missing");
        Assert.True(File.Exists(Path.Combine(Root, "examples", runbook + ".ps1")), $"examples/{runbook}.ps1 (the PowerShell runbook) is missing");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Root, "tests", "examples", "run-cli-twins.sh"));
        start.ArgumentList.Add(runbook);
        start.Environment["IRONIC"] = $"dotnet {Path.Combine(Metadata("IronicCliDirectory"), "ironic.dll")}";
        start.Environment["BMC_EMULATOR"] = $"dotnet {Path.Combine(Metadata("BmcEmulatorDirectory"), "Ironic.BmcEmulator.dll")}";
        if (Environment.GetEnvironmentVariable("MAKE_TEST_ISO") is null)
        {
            start.Environment["MAKE_TEST_ISO"] = Path.GetFullPath(Path.Combine(Root, "..", "shared", "tools", "make-test-iso.sh"));
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{runbook} ran for 10 minutes: {await stderr}");
        }
        var output = (await stdout) + (await stderr);
        Assert.True(process.ExitCode == 0, $"examples/{runbook}.sh failed ({process.ExitCode}):\n{output}");
        Assert.Contains($"ok: {runbook}", output, StringComparison.Ordinal);
    }

    private static string Metadata(string key) =>
        typeof(ExampleRunbookTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

[CollectionDefinition("ExampleRunbooks", DisableParallelization = true)]
public sealed class ExampleRunbookCollection;
