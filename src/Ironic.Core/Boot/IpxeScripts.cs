using System.Globalization;
using System.Text;
using Ironic.Core.Inventory;

namespace Ironic.Core.Boot;

/// <summary>
/// The iPXE scripts the boot server hands out: the catch-all <c>/boot.ipxe</c> every machine
/// gets from DHCP, and a node's own <c>boot.ipxe</c> (kernel + initrd, or sanboot of an ISO).
/// </summary>
public static class IpxeScripts
{
    public const string BootScriptName = "boot.ipxe";
    public const string ContentType = "text/plain; charset=utf-8";

    /// <summary>instance_info keys read when rendering, as in Ironic.</summary>
    public const string KernelKey = "kernel";
    public const string RamdiskKey = "ramdisk";
    public const string BootIsoKey = "boot_iso";
    public const string KernelArgumentsKey = "ramdisk_kernel_arguments";
    public const string KernelAppendParamsKey = "kernel_append_params";

    /// <summary>How many NICs the catch-all tries (net0 … net{N-1}).</summary>
    public const int CatchAllInterfaces = 8;

    /// <summary>How many rounds over the NICs the catch-all makes before it gives up (pauses 5, 10, 20 s between them).</summary>
    public const int CatchAllRounds = 4;

    /// <summary>
    /// The catch-all script. In each round it walks net0..netN, skips NICs that do not exist, and
    /// chains to the API with the MAC in hyphen form: Debian's iPXE percent-encodes colons and
    /// then fails to chain a relative link that contains them. A relative link works behind any
    /// address; an absolute one is used when [pxe]ipxe_config_api_root_url is set. Four rounds,
    /// with pauses of 5, 10 and 20 s between them (35 s in all, enough for a node being enrolled
    /// or moved to a wait state), then it exits so that the firmware tries its next boot device.
    /// A busy server does not use up rounds: iPXE itself waits out a 503's Retry-After.
    /// </summary>
    public static string RenderCatchAll(Uri? apiRootUrl, int interfaces = CatchAllInterfaces)
    {
        var prefix = apiRootUrl is null ? "v1/boot/" : apiRootUrl.AbsoluteUri.TrimEnd('/') + "/v1/boot/";
        var s = new StringBuilder();
        s.Append("#!ipxe\n");
        s.Append("# Ironic boot configuration API: find this machine by the MAC of one of its NICs.\n");
        s.Append("set attempt:int32 0\n");
        s.Append("set pause:int32 5\n");
        s.Append(":round\n");
        for (var i = 0; i < interfaces; i++)
        {
            var nic = "net" + i.ToString(CultureInfo.InvariantCulture);
            s.Append(CultureInfo.InvariantCulture, $"isset ${{{nic}/mac}} || goto skip_{nic}\n");
            s.Append(CultureInfo.InvariantCulture, $"chain --autofree {prefix}${{{nic}/mac:hexhyp}}/{BootScriptName} || echo Ironic: no boot configuration for {nic} (${{{nic}/mac}})\n");
            s.Append(CultureInfo.InvariantCulture, $":skip_{nic}\n");
        }
        s.Append("inc attempt\n");
        s.Append(CultureInfo.InvariantCulture, $"iseq ${{attempt}} {CatchAllRounds} && goto giveup ||\n");
        s.Append(CultureInfo.InvariantCulture, $"echo Ironic: no boot configuration yet, retrying in ${{pause}} s (attempt ${{attempt}} of {CatchAllRounds})\n");
        s.Append("sleep ${pause}\n");
        s.Append("inc pause ${pause}\n");
        s.Append("goto round\n");
        s.Append(":giveup\n");
        s.Append("echo Ironic: no boot configuration for any NIC of this machine, giving up\n");
        s.Append("exit 1\n");
        return s.ToString();
    }

    /// <summary>The node's script from its instance_info; null when it names neither a kernel+ramdisk nor a boot ISO.</summary>
    public static string? RenderNodeScript(Node node)
    {
        var info = node.InstanceInfo;
        var arguments = KernelArguments(info);
        var s = new StringBuilder();
        s.Append("#!ipxe\n");
        s.Append(CultureInfo.InvariantCulture, $"# node {node.Uuid} ({Clean(node.Name)})\n");
        if (Value(info, KernelKey) is { } kernel && Value(info, RamdiskKey) is { } ramdisk)
        {
            s.Append(":boot\n");
            s.Append(CultureInfo.InvariantCulture, $"kernel --name vmlinuz {Clean(kernel)} initrd=initrd.img{(arguments.Length > 0 ? " " + arguments : "")} || goto retry\n");
            s.Append(CultureInfo.InvariantCulture, $"initrd --name initrd.img {Clean(ramdisk)} || goto retry\n");
            s.Append("boot || goto retry\n");
        }
        else if (Value(info, BootIsoKey) is { } iso)
        {
            s.Append(":boot\n");
            s.Append(CultureInfo.InvariantCulture, $"sanboot --no-describe {Clean(iso)} || goto retry\n");
        }
        else
        {
            return null;
        }
        s.Append(":retry\n");
        s.Append("echo Ironic: boot failed, retrying in 10 s\n");
        s.Append("sleep 10\n");
        s.Append("goto boot\n");
        return s.ToString();
    }

    /// <summary>The node's kernel parameters: ramdisk_kernel_arguments, else kernel_append_params.</summary>
    public static string KernelArguments(IReadOnlyDictionary<string, string> info) =>
        Clean(Value(info, KernelArgumentsKey) ?? Value(info, KernelAppendParamsKey) ?? "");

    private static string? Value(IReadOnlyDictionary<string, string> info, string key) =>
        info.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    /// <summary>A value on one script line: a newline in instance_info must not start a new iPXE command.</summary>
    private static string Clean(string value) => value.ReplaceLineEndings(" ");
}
