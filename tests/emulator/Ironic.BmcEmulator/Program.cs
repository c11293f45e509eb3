namespace Ironic.BmcEmulation;

/// <summary>
/// Runs one emulated BMC in the foreground until Ctrl+C:
/// <c>dotnet run --project tests/emulator/Ironic.BmcEmulator -- --listen 127.0.0.1:8000 --profile ilo --username admin --password-file F</c>.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Ironic.BmcEmulator [--listen HOST:PORT] [--profile generic|idrac|ilo|xcc|supermicro|openbmc]
                                  [--username U] [--password-file F] [--mockup DIR] [--quirks A,B] [--add-quirks A,B]
                                  [--tls] [--delay-ms N] [--fail-every N] [--fail-probability P] [--seed N]
                                  [--power-delay-ms N] [--task-ms N] [--busy-image URL] [--chunk-bytes N]
                                  [--image-fetch full|head|none]
        The password comes from --password-file or the BMC_EMULATOR_PASSWORD environment variable, never from argv
        (default: password).
        """;

    public static async Task<int> Main(string[] args)
    {
        BmcEmulatorOptions options;
        try
        {
            options = ParseArguments(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"Ironic.BmcEmulator: {e.Message}\n{Usage}").ConfigureAwait(false);
            return 2;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"Ironic.BmcEmulator: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        await using var emulator = await BmcEmulator.StartAsync(options, stop.Token).ConfigureAwait(false);
        // The host's own lifetime takes SIGTERM and SIGINT and stops Kestrel; end the wait with it.
        // Cancel off the lifetime callback: stopping the host from inside its own callback would wait on itself.
        using var hostStopped = emulator.HostStopping.Register(() => _ = Task.Run(stop.Cancel));
        var quirks = options.Quirks ?? BmcProfiles.DefaultQuirks(options.Profile);
        Console.WriteLine($"BMC emulator ({options.Profile}, quirks: {quirks}) listening on {emulator.Address}redfish/v1");
        Console.WriteLine($"System {emulator.State.SystemPath}; virtual media: {string.Join(", ", emulator.State.Slots.Select(s => s.Path))}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: stop quietly.
        }
        return 0;
    }

    internal static BmcEmulatorOptions ParseArguments(IReadOnlyList<string> args)
    {
        var options = new BmcEmulatorOptions { Password = Environment.GetEnvironmentVariable("BMC_EMULATOR_PASSWORD") ?? "password" };
        BmcQuirks? quirks = null;
        var addQuirks = BmcQuirks.None;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--listen" => options with { Listen = Value() },
                "--profile" => options with { Profile = BmcProfiles.Parse(Value()) },
                "--username" => options with { UserName = Value() },
                "--password-file" => options with { Password = File.ReadAllText(Value()).TrimEnd('\r', '\n') },
                "--mockup" => options with { MockupDirectory = Value() },
                "--tls" => options with { UseTls = true },
                "--delay-ms" => options with { ResponseDelay = TimeSpan.FromMilliseconds(Number(name, Value())) },
                "--fail-every" => options with { FailEveryNthRequest = Number(name, Value()) },
                "--fail-probability" => options with { FailureProbability = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture) },
                "--seed" => options with { FailureSeed = Number(name, Value()) },
                "--power-delay-ms" => options with { PowerTransitionDelay = TimeSpan.FromMilliseconds(Number(name, Value())) },
                "--task-ms" => options with { TaskDuration = TimeSpan.FromMilliseconds(Number(name, Value())) },
                "--busy-image" => options with { PreinsertedImage = Value() },
                "--chunk-bytes" => options with { DownloadChunkSize = Number(name, Value()) },
                "--image-fetch" => options with { ImageFetch = Value() switch
                {
                    "full" => ImageFetchMode.Full,
                    "head" => ImageFetchMode.HeadOnly,
                    "none" => ImageFetchMode.None,
                    var other => throw new ArgumentException($"--image-fetch takes full, head or none, not '{other}'."),
                } },
                "--quirks" => SetQuirks(options, ref quirks, BmcProfiles.ParseQuirks(Value())),
                "--add-quirks" => AddQuirks(options, ref addQuirks, BmcProfiles.ParseQuirks(Value())),
                "--password" => throw new ArgumentException("Passwords are not taken from the command line: use --password-file F or BMC_EMULATOR_PASSWORD."),
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }
        return options with { Quirks = (quirks ?? BmcProfiles.DefaultQuirks(options.Profile)) | addQuirks };

        static BmcEmulatorOptions SetQuirks(BmcEmulatorOptions o, ref BmcQuirks? q, BmcQuirks value)
        {
            q = value;
            return o;
        }

        static BmcEmulatorOptions AddQuirks(BmcEmulatorOptions o, ref BmcQuirks q, BmcQuirks value)
        {
            q |= value;
            return o;
        }
    }

    private static int Number(string option, string text) =>
        int.TryParse(text, out var n) && n >= 0 ? n : throw new ArgumentException($"{option} needs a whole number >= 0, not '{text}'.");
}
