using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ironic.Core.Hardware;

namespace Ironic.Core.Redfish;

/// <summary>How power changes wait.</summary>
public sealed record RedfishPowerOptions
{
    /// <summary>How long to wait for the system to report the new power state.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Pause between power state reads.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>When a graceful shutdown has not powered the system off within <see cref="Timeout"/>, force it off.</summary>
    public bool ForceOffAfterGracefulTimeout { get; init; }
}

/// <summary>One computer system on a BMC: its power and its boot source override.</summary>
public sealed class RedfishSystem
{
    private readonly RedfishClient _client;

    private RedfishSystem(RedfishClient client, string path)
    {
        _client = client;
        Path = path;
    }

    /// <summary>The system's resource path, e.g. /redfish/v1/Systems/1.</summary>
    public string Path { get; }

    /// <summary>
    /// Finds the system: <paramref name="systemIdOrPath"/> as a path (/redfish/v1/Systems/1)
    /// or an id (1, System.Embedded.1); when null, the only system the BMC has.
    /// </summary>
    public static async Task<RedfishSystem> FindAsync(RedfishClient client, string? systemIdOrPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (systemIdOrPath is { Length: > 0 } given && given.StartsWith('/'))
        {
            return new RedfishSystem(client, given.TrimEnd('/'));
        }
        var root = await client.GetServiceRootAsync(cancellationToken).ConfigureAwait(false);
        var systemsPath = root.Link("Systems") ?? "/redfish/v1/Systems";
        if (systemIdOrPath is { Length: > 0 } id)
        {
            return new RedfishSystem(client, $"{systemsPath.TrimEnd('/')}/{Uri.EscapeDataString(id)}");
        }
        var systems = await client.GetAsync(systemsPath, cancellationToken).ConfigureAwait(false);
        var members = systems.Body.Links("Members");
        return members.Count switch
        {
            1 => new RedfishSystem(client, members[0].TrimEnd('/')),
            0 => throw new RedfishNotFoundException($"The BMC at {client.Options.BmcAddress} lists no system under {systemsPath}. Check that this is the server's BMC and not a chassis manager."),
            _ => throw new ArgumentException(
                $"The BMC at {client.Options.BmcAddress} manages {members.Count} systems ({string.Join(", ", members)}); say which one with -SystemId / --system.",
                nameof(systemIdOrPath)),
        };
    }

    public Task<RedfishResource> ReadAsync(CancellationToken cancellationToken) => _client.GetAsync(Path, cancellationToken);

    /// <summary>The PowerState the system reports (On, Off, PoweringOn, PoweringOff), or null when it reports none.</summary>
    public async Task<string?> GetPowerStateAsync(CancellationToken cancellationToken) =>
        (await ReadAsync(cancellationToken).ConfigureAwait(false)).Body.String("PowerState");

    public static HardwarePowerState ToHardwareState(string? powerState) => powerState switch
    {
        "On" or "PoweringOff" => HardwarePowerState.On,
        "Off" or "PoweringOn" => HardwarePowerState.Off,
        _ => HardwarePowerState.Unknown,
    };

    /// <summary>
    /// Changes power with the ResetType the system allows for the action and waits until the
    /// system reports the new state. A system already in the asked state is left alone; a
    /// restart of a system that is off powers it on.
    /// </summary>
    public async Task SetPowerAsync(PowerAction action, RedfishPowerOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var system = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var state = system.Body.String("PowerState");
        var log = _client.Options.Log;
        switch (action)
        {
            case PowerAction.On when state == "On":
            case PowerAction.ForceOff or PowerAction.GracefulShutdown when state == "Off":
                log?.Invoke($"{Path} is already {state}");
                return;
            case PowerAction.ForceRestart when state == "Off":
                action = PowerAction.On;
                break;
        }
        var (target, allowed) = await ResetActionAsync(system, cancellationToken).ConfigureAwait(false);
        var resetType = ChooseResetType(action, allowed);
        await _client.PostAsync(target, new JsonObject { ["ResetType"] = resetType }, cancellationToken).ConfigureAwait(false);
        var wanted = action is PowerAction.On or PowerAction.ForceRestart ? "On" : "Off";
        try
        {
            await WaitForPowerStateAsync(wanted, options, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (action == PowerAction.GracefulShutdown && options.ForceOffAfterGracefulTimeout)
        {
            log?.Invoke($"{Path} did not shut down gracefully within {options.Timeout.TotalSeconds:0} s; forcing it off");
            await _client.PostAsync(target, new JsonObject { ["ResetType"] = ChooseResetType(PowerAction.ForceOff, allowed) }, cancellationToken).ConfigureAwait(false);
            await WaitForPowerStateAsync("Off", options, cancellationToken).ConfigureAwait(false);
        }
    }

    // A restart is over when the system reads On again; BMCs that report the short Off in
    // between are not waited for, since some never show it.
    private async Task WaitForPowerStateAsync(string wanted, RedfishPowerOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? last = null;
        while (true)
        {
            last = await GetPowerStateAsync(cancellationToken).ConfigureAwait(false);
            if (last == wanted) return;
            if (clock.Elapsed >= options.Timeout)
            {
                throw new TimeoutException(
                    $"The system {Path} at {_client.Options.BmcAddress} still reads PowerState '{last ?? "(none)"}' {options.Timeout.TotalSeconds:0} s after the reset; expected '{wanted}'. Look at the BMC's log, or wait longer (-TimeoutSec / --timeout).");
            }
            await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(string Target, IReadOnlyList<string> Allowed)> ResetActionAsync(RedfishResource system, CancellationToken cancellationToken)
    {
        var reset = system.Body.Property("Actions")?.Property("#ComputerSystem.Reset")
            ?? throw new RedfishActionRefusedException(
                $"The system {Path} at {_client.Options.BmcAddress} offers no #ComputerSystem.Reset action, so its power cannot be changed over Redfish.",
                new RedfishFailure("GET", _client.Resolve(Path), null, []));
        var target = reset.String("target") ?? $"{Path}/Actions/ComputerSystem.Reset";
        var allowed = reset.Strings("ResetType@Redfish.AllowableValues");
        if (allowed.Count == 0 && reset.String("@Redfish.ActionInfo") is { } infoPath)
        {
            try
            {
                var info = await _client.GetAsync(infoPath, cancellationToken).ConfigureAwait(false);
                if (info.Body.Property("Parameters") is { ValueKind: JsonValueKind.Array } parameters)
                {
                    allowed = parameters.EnumerateArray().Where(p => p.String("Name") == "ResetType").Select(p => p.Strings("AllowableValues")).FirstOrDefault() ?? [];
                }
            }
            catch (RedfishNotFoundException)
            {
                // An ActionInfo link that leads nowhere: fall back to the standard values.
            }
        }
        return (target, allowed);
    }

    /// <summary>The ResetType for an action: the first of its candidates the BMC allows (all are allowed when it lists none).</summary>
    public static string ChooseResetType(PowerAction action, IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        string[] candidates = action switch
        {
            PowerAction.On => ["On", "ForceOn", "PushPowerButton"],
            PowerAction.ForceOff => ["ForceOff"],
            PowerAction.GracefulShutdown => ["GracefulShutdown", "PushPowerButton"],
            PowerAction.ForceRestart => ["ForceRestart", "PowerCycle", "GracefulRestart"],
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown power action."),
        };
        if (allowed.Count == 0) return candidates[0];
        return candidates.FirstOrDefault(c => allowed.Contains(c, StringComparer.OrdinalIgnoreCase))
            ?? throw new NotSupportedException(
                $"The BMC allows ResetType {string.Join(", ", allowed)}, none of which does {action} (tried {string.Join(", ", candidates)}).");
    }

    /// <summary>
    /// Sets the boot source override: the target checked against the allowed values (Cd falls
    /// back to UsbCd where only that exists), Once or Continuous, and the mode when the system
    /// has BootSourceOverrideMode. Reads the system back to check.
    /// </summary>
    public async Task SetBootOverrideAsync(BootDevice device, bool once, BootMode? mode, CancellationToken cancellationToken)
    {
        var system = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var boot = system.Body.Property("Boot")
            ?? throw new RedfishActionRefusedException(
                $"The system {Path} at {_client.Options.BmcAddress} has no Boot property, so its boot device cannot be set over Redfish.",
                new RedfishFailure("GET", _client.Resolve(Path), null, []));
        var target = ChooseBootTarget(device, boot.Strings("BootSourceOverrideTarget@Redfish.AllowableValues"));
        var enabled = once ? "Once" : "Continuous";
        var allowedEnabled = boot.Strings("BootSourceOverrideEnabled@Redfish.AllowableValues");
        if (allowedEnabled.Count > 0 && !allowedEnabled.Contains(enabled))
        {
            throw new NotSupportedException($"The system {Path} allows BootSourceOverrideEnabled {string.Join(", ", allowedEnabled)}, not {enabled}.");
        }
        var patch = new JsonObject { ["BootSourceOverrideTarget"] = target, ["BootSourceOverrideEnabled"] = enabled };
        if (mode is { } m)
        {
            var modeName = m == BootMode.Uefi ? "UEFI" : "Legacy";
            var allowedModes = boot.Strings("BootSourceOverrideMode@Redfish.AllowableValues");
            if (boot.Property("BootSourceOverrideMode") is null && allowedModes.Count == 0)
            {
                _client.Options.Log?.Invoke($"{Path} has no BootSourceOverrideMode; leaving the boot mode as the firmware has it");
            }
            else if (allowedModes.Count > 0 && !allowedModes.Contains(modeName))
            {
                throw new NotSupportedException($"The system {Path} allows BootSourceOverrideMode {string.Join(", ", allowedModes)}, not {modeName}.");
            }
            else if (boot.String("BootSourceOverrideMode") != modeName)
            {
                patch["BootSourceOverrideMode"] = modeName;
            }
        }
        await _client.PatchAsync(Path, new JsonObject { ["Boot"] = patch }, system.ETag, cancellationToken).ConfigureAwait(false);

        var after = (await ReadAsync(cancellationToken).ConfigureAwait(false)).Body.Property("Boot");
        if (after?.String("BootSourceOverrideTarget") is { } readTarget && readTarget != target)
        {
            throw new RedfishActionRefusedException(
                $"The BMC at {_client.Options.BmcAddress} accepted the boot override for {Path} but reads BootSourceOverrideTarget '{readTarget}' instead of '{target}'. Check the BMC's boot settings (a pending BIOS job may hold them).",
                new RedfishFailure("PATCH", _client.Resolve(Path), null, []));
        }
    }

    /// <summary>The BootSourceOverrideTarget for a device, checked against the allowed values (all allowed when none are listed).</summary>
    public static string ChooseBootTarget(BootDevice device, IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        string[] candidates = device switch
        {
            BootDevice.Cd => ["Cd", "UsbCd"],
            BootDevice.UsbCd => ["UsbCd", "Cd"],
            BootDevice.Pxe => ["Pxe"],
            BootDevice.Hdd => ["Hdd"],
            _ => throw new ArgumentOutOfRangeException(nameof(device), device, "Unknown boot device."),
        };
        if (allowed.Count == 0) return candidates[0];
        return candidates.FirstOrDefault(c => allowed.Contains(c))
            ?? throw new NotSupportedException(
                $"The BMC allows BootSourceOverrideTarget {string.Join(", ", allowed)}, none of which is {device} (tried {string.Join(", ", candidates)}).");
    }
}
