using System.Management.Automation;
using Ironic.Core.Boot;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Starts a boot server (`ironic serve`) as a supervised child process and returns it once it answers.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "IronicBootServer", SupportsShouldProcess = true)]
[OutputType(typeof(BootServerInfo))]
public sealed class StartIronicBootServerCommand : AsyncPSCmdlet
{
    /// <summary>Address and port to listen on; port 0 picks a free one.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Listen { get; set; } = "127.0.0.1:6385";

    /// <summary>The inventory: SQLite file or postgres:// URL.</summary>
    [Parameter]
    public string? Store { get; set; }

    /// <summary>The conductor name on the hash ring.</summary>
    [Parameter]
    public string? Name { get; set; }

    /// <summary>An ironic.conf-style configuration file.</summary>
    [Parameter]
    [Alias("Config")]
    public string? ConfigPath { get; set; }

    /// <summary>The `ironic` executable (default: next to the module, $IRONIC_EXE, or PATH).</summary>
    [Parameter]
    public string? ExecutablePath { get; set; }

    /// <summary>A file holding the secret the servers share to forward requests to each other.</summary>
    [Parameter]
    public string? SharedSecretFile { get; set; }

    /// <summary>Seconds to wait for the server to answer /healthz.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 30;

    /// <summary>Keep the server in the foreground until Ctrl+C, then stop it.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        if (!await ShouldProcessAsync(Listen, "Start boot server").ConfigureAwait(false)) return;
        var environment = new Dictionary<string, string>();
        if (SharedSecretFile is not null)
        {
            environment["IRONIC_BOOT_SHARED_SECRET"] =
                File.ReadAllText(SessionState.Path.GetUnresolvedProviderPathFromPSPath(SharedSecretFile)).Trim();
        }
        var start = new BootServerStartInfo
        {
            Listen = Listen,
            Store = Store,
            Name = Name,
            ConfigFile = ConfigPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath),
            Executable = ExecutablePath ?? TryFind(),
            Environment = environment,
            StartTimeout = TimeSpan.FromSeconds(TimeoutSec),
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        BootServerProcess server;
        try
        {
            server = await BootServerProcess.StartAsync(start, http, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BootServerUnavailableException or FileNotFoundException)
        {
            await ThrowTerminatingErrorAsync(ErrorRecords.FromException(e, Listen)).ConfigureAwait(false);
            return;
        }
        BootServerSession.Add(server);
        WriteVerbose($"Started {server}");
        WriteObject(BootServerInfo.FromProcess(server));
        if (!Wait) return;
        try
        {
            await server.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            WriteWarning($"The boot server {server.Name} exited on its own. Its last output:\n{server.LogTail}");
        }
        catch (OperationCanceledException)
        {
            await server.StopAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
        }
        BootServerSession.Remove(server);
        await server.DisposeAsync().ConfigureAwait(false);
    }

    private static string? TryFind()
    {
        try { return BootServerProcess.FindExecutable(null, BootServerSession.ModuleDirectory); }
        catch (FileNotFoundException) { return null; }
    }
}
