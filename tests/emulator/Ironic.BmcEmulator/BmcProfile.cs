namespace Ironic.BmcEmulation;

/// <summary>The vendor a BMC emulator imitates: picks the default mockup and the default quirks.</summary>
public enum BmcProfile
{
    /// <summary>A by-the-book Redfish service; virtual media under the System, actions and PATCH both work.</summary>
    Generic,
    /// <summary>Dell iDRAC 9: If-Match required on PATCH, images probed and must be .iso, eject of an empty slot refused, slots under the Manager.</summary>
    Idrac,
    /// <summary>HPE iLO 5: If-Match required, weak ETags, `{}` eject body required, slots under the Manager.</summary>
    Ilo,
    /// <summary>Lenovo XCC: no InsertMedia/EjectMedia actions; PATCH {Image, Inserted, WriteProtected} only, with If-Match.</summary>
    Xcc,
    /// <summary>Supermicro: TransferProtocolType required, Inserted/WriteProtected refused, only UsbCd boot target.</summary>
    Supermicro,
    /// <summary>OpenBMC bmcweb: slots under Managers/bmc, Slot_0 is a proxy slot without actions, Inserted=false refused.</summary>
    OpenBmc,
}

/// <summary>Behaviours of real BMCs that break naive clients; each can be switched on per emulator.</summary>
[Flags]
public enum BmcQuirks
{
    None = 0,
    /// <summary>PATCH without If-Match is refused with 428 PreconditionRequired.</summary>
    IfMatchRequired = 1 << 0,
    /// <summary>ETags are sent weak (W/"..."); If-Match is compared strongly, so echoing the weak tag gets 412.</summary>
    WeakETags = 1 << 1,
    /// <summary>EjectMedia with an empty body is refused with 400 MalformedJSON; `{}` works.</summary>
    EjectRequiresJsonBody = 1 << 2,
    /// <summary>VirtualMedia has no InsertMedia/EjectMedia actions; PATCH {Image, Inserted, WriteProtected} works and Allow says so.</summary>
    PatchOnlyVirtualMedia = 1 << 3,
    /// <summary>InsertMedia without TransferProtocolType is refused with 400 ActionParameterMissing.</summary>
    TransferProtocolTypeRequired = 1 << 4,
    /// <summary>InsertMedia with Inserted or WriteProtected is refused with 400 ActionParameterNotSupported.</summary>
    InsertedWriteProtectedRefused = 1 << 5,
    /// <summary>InsertMedia with Inserted=false is refused with 400 ActionParameterNotSupported (bmcweb).</summary>
    InsertedFalseRefused = 1 << 6,
    /// <summary>POST to the session collection answers 405; only Basic authentication works.</summary>
    SessionsDisabled = 1 << 7,
    /// <summary>Reset, InsertMedia and EjectMedia answer 202 with a Location task monitor and Retry-After; the change happens when the task ends.</summary>
    ActionsAsTasks = 1 << 8,
    /// <summary>InsertMedia probes the image with HEAD first and refuses one it cannot reach (400 with the reason).</summary>
    ValidateImageOnInsert = 1 << 9,
    /// <summary>InsertMedia refuses an image URL whose path does not end in .iso, that carries a query string, or that is longer than 255 characters.</summary>
    RequireIsoExtension = 1 << 10,
    /// <summary>When the background download fails the slot reads Inserted=false (else it stays inserted with Status.Health Critical).</summary>
    EjectOnDownloadFailure = 1 << 11,
    /// <summary>EjectMedia on a slot with nothing inserted is refused with 500 and iDRAC's words; the slot reads not inserted.</summary>
    EjectEmptySlotRefused = 1 << 12,
    /// <summary>InsertMedia without UserName and Password is refused with 400 ActionParameterMissing
    /// ("requires the parameter UserName"); empty strings satisfy it (seen on NVIDIA DGX BMCs).</summary>
    CredentialsRequired = 1 << 13,
    /// <summary>Firmware bug: any If-Match other than * gets 412, even the ETag just read; PATCH without If-Match works.</summary>
    BrokenETags = 1 << 14,
}

/// <summary>The named presets: profile name to default quirks and mockup folder.</summary>
public static class BmcProfiles
{
    /// <summary>The quirks a profile has unless the options say otherwise.</summary>
    public static BmcQuirks DefaultQuirks(BmcProfile profile) => profile switch
    {
        BmcProfile.Generic => BmcQuirks.None,
        BmcProfile.Idrac => BmcQuirks.IfMatchRequired | BmcQuirks.RequireIsoExtension | BmcQuirks.ValidateImageOnInsert | BmcQuirks.EjectEmptySlotRefused,
        BmcProfile.Ilo => BmcQuirks.IfMatchRequired | BmcQuirks.WeakETags | BmcQuirks.EjectRequiresJsonBody | BmcQuirks.EjectOnDownloadFailure,
        BmcProfile.Xcc => BmcQuirks.IfMatchRequired | BmcQuirks.PatchOnlyVirtualMedia | BmcQuirks.RequireIsoExtension,
        BmcProfile.Supermicro => BmcQuirks.TransferProtocolTypeRequired | BmcQuirks.InsertedWriteProtectedRefused | BmcQuirks.EjectOnDownloadFailure,
        BmcProfile.OpenBmc => BmcQuirks.InsertedFalseRefused,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unknown BMC profile."),
    };

    /// <summary>The folder name of the profile's built-in mockup (embedded in this assembly).</summary>
    public static string MockupName(BmcProfile profile) => profile.ToString().ToLowerInvariant();

    /// <summary>Parses a profile name as given on a command line (any case: generic, idrac, ilo, xcc, supermicro, openbmc).</summary>
    public static BmcProfile Parse(string name) =>
        Enum.TryParse<BmcProfile>(name, ignoreCase: true, out var profile) && Enum.IsDefined(profile)
            ? profile
            : throw new ArgumentException(
                $"Unknown BMC profile '{name}'. Use one of: {string.Join(", ", Enum.GetNames<BmcProfile>().Select(n => n.ToLowerInvariant()))}.",
                nameof(name));

    /// <summary>Parses a comma-separated list of quirk names (any case), e.g. "ActionsAsTasks,WeakETags".</summary>
    public static BmcQuirks ParseQuirks(string list)
    {
        var quirks = BmcQuirks.None;
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<BmcQuirks>(name, ignoreCase: true, out var one) || int.TryParse(name, out _))
                throw new ArgumentException(
                    $"Unknown quirk '{name}'. Use any of: {string.Join(", ", Enum.GetNames<BmcQuirks>().Where(n => n != nameof(BmcQuirks.None)))}.",
                    nameof(list));
            quirks |= one;
        }
        return quirks;
    }
}
