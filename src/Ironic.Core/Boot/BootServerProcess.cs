using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ironic.Core.Boot;

/// <summary>What to start: the `ironic serve` flags.</summary>
public sealed record BootServerStartInfo
{
    /// <summary>host:port; port 0 lets the server pick a free one (read back from its first line).</summary>
    public string Listen { get; init; } = "127.0.0.1:6385";
    public string? Store { get; init; }
    public string? Name { get; init; }
    public string? ConfigFile { get; init; }

    /// <summary>The `ironic` executable; null finds it (see <see cref="BootServerProcess.FindExecutable"/>).</summary>
    public string? Executable { get; init; }

    /// <summary>Extra environment for the child (e.g. IRONIC_BOOT_SHARED_SECRET).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>How long to wait for /healthz to answer.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// `ironic serve` as a supervised child process: started with redirected output (kept as a
/// log tail for error messages), considered up once /healthz answers, killed with its tree on
/// <see cref="StopAsync"/> or when it is disposed. The PowerShell front (Start-IronicBootServer)
/// is a thin layer over this.
/// </summary>
public sealed partial class BootServerProcess : IAsyncDisposable
{
    /// <summary>Environment variable naming the `ironic` executable.</summary>
    public const string ExecutableVariable = "IRONIC_EXE";

    private const int LogTailLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _log = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BootServerProcess(Process process, BootServerStartInfo start)
    {
        _process = process;
        StartInfo = start;
        Name = start.Name ?? System.Environment.MachineName.ToLowerInvariant();
    }

    public BootServerStartInfo StartInfo { get; }
    public int Pid => _process.Id;
    public string Name { get; private set; }
    public Uri? Uri { get; private set; }
    public string? Store { get; private set; }
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the server printed (stdout and stderr).</summary>
    public string LogTail { get { lock (_log) return string.Join('\n', _log); } }

    /// <summary>Completes when the process exits, with its exit code.</summary>
    public Task<int> Exited { get; private set; } = Task.FromResult(0);

    /// <summary>
    /// The `ironic` executable: <paramref name="explicitPath"/>, else $IRONIC_EXE, else next to
    /// <paramref name="besideDirectory"/> (the module's folder), else on PATH.
    /// </summary>
    public static string FindExecutable(string? explicitPath = null, string? besideDirectory = null)
    {
        var tried = new List<string>();
        foreach (var candidate in Candidates(explicitPath, besideDirectory))
        {
            tried.Add(candidate);
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        throw new FileNotFoundException(
            $"Cannot find the 'ironic' executable (tried {string.Join(", ", tried.Distinct())}). " +
            $"Build src/Ironic.Cli, put 'ironic' on PATH, or set ${ExecutableVariable} to its path.");
    }

    private static IEnumerable<string> Candidates(string? explicitPath, string? besideDirectory)
    {
        var names = OperatingSystem.IsWindows() ? new[] { "ironic.exe", "ironic.cmd" } : ["ironic"];
        if (!string.IsNullOrWhiteSpace(explicitPath)) { yield return explicitPath; yield break; }
        if (System.Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } env) yield return env;
        foreach (var dir in new[] { besideDirectory, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            foreach (var name in names) yield return Path.Combine(dir, name);
        }
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names) yield return Path.Combine(dir, name);
        }
    }

    /// <summary>Starts `ironic serve` and returns once /healthz answers; throws with the server's own output when it does not come up.</summary>
    public static async Task<BootServerProcess> StartAsync(BootServerStartInfo start, HttpClient http, CancellationToken cancellationToken)
    {
        var executable = FindExecutable(start.Executable);
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // A framework-dependent build may be started as "dotnet ironic.dll".
        if (executable.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            psi.FileName = "dotnet";
            psi.ArgumentList.Add(executable);
        }
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add("--listen");
        psi.ArgumentList.Add(start.Listen);
        // The child stops when its stdin closes: on StopAsync, and when this process dies.
        psi.ArgumentList.Add("--exit-on-stdin-close");
        if (start.Store is not null) { psi.ArgumentList.Add("--store"); psi.ArgumentList.Add(start.Store); }
        if (start.Name is not null) { psi.ArgumentList.Add("--name"); psi.ArgumentList.Add(start.Name); }
        if (start.ConfigFile is not null) { psi.ArgumentList.Add("--config"); psi.ArgumentList.Add(start.ConfigFile); }
        foreach (var (key, value) in start.Environment) psi.Environment[key] = value;

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new BootServerProcess(process, start);
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult(process.ExitCode);
        process.OutputDataReceived += (_, e) => server.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnOutput(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new BootServerUnavailableException($"Cannot start '{executable} serve': {e.Message}. Check that the file is an executable build of src/Ironic.Cli.", e);
        }
        server.Exited = exited.Task;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(start.StartTimeout);
            var first = await Task.WhenAny(server._listening.Task, exited.Task, Task.Delay(Timeout.Infinite, timeout.Token)).ConfigureAwait(false);
            if (first == exited.Task)
            {
                throw new BootServerUnavailableException(
                    $"'ironic serve --listen {start.Listen}' exited with code {exited.Task.Result} before it listened. Its output:\n{server.LogTail}");
            }
            if (first != server._listening.Task)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new BootServerUnavailableException(
                    $"'ironic serve --listen {start.Listen}' did not report listening within {start.StartTimeout.TotalSeconds:0} s. Its output:\n{server.LogTail}");
            }
            var uri = await server._listening.Task.ConfigureAwait(false);
            var health = await new BootServerClient(http).GetHealthAsync(uri, cancellationToken).ConfigureAwait(false);
            server.Uri = uri;
            server.Name = health.Name;
            server.Store = health.Store;
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > LogTailLines) _log.Dequeue();
        }
        var match = ListeningLine().Match(line);
        if (match.Success) _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    /// <summary>The line `ironic serve` prints once it listens.</summary>
    [GeneratedRegex(@"listening on (https?://\S+?)/? ")]
    private static partial Regex ListeningLine();

    /// <summary>Asks the server to stop (closing its stdin), then kills it after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_process.HasExited) return;
        try { _process.StandardInput.Close(); } catch (IOException) { }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(grace);
        try { await Exited.WaitAsync(timeout.Token).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await Exited.ConfigureAwait(false);
        }
    }

    /// <summary>Ends the process at once, as a crash would (no graceful leave from the ring).</summary>
    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} pid {Pid} at {Uri}");

    public async ValueTask DisposeAsync()
    {
        Kill();
        try { await Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); } catch (TimeoutException) { }
        _process.Dispose();
    }
}

/// <summary>
/// A boot server as the fronts list it: one this session started (Pid set), or a conductor
/// registered in the inventory (Pid null; Alive from its heartbeat).
/// </summary>
public sealed record BootServerInfo(string Name, Uri? Uri, int? Pid, string? Store, bool Alive, string Source, DateTimeOffset? Since)
{
    public static BootServerInfo FromProcess(BootServerProcess process) =>
        new(process.Name, process.Uri, process.Pid, process.Store, !process.HasExited, "session", process.StartedAt);

    public static BootServerInfo FromConductor(ConductorOwnership conductor, string store) =>
        new(conductor.Name, conductor.InternalUrl, null, store, conductor.Alive, "inventory", conductor.HeartbeatAt);
}
