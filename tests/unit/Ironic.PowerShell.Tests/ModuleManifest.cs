using System.Text.RegularExpressions;

namespace Ironic.PowerShell.Tests;

/// <summary>The parts of Ironic.psd1 the checks need, read without PowerShell.</summary>
public sealed record ModuleManifest(string ModuleVersion, string RootModule, IReadOnlyList<string> CmdletsToExport, IReadOnlyList<string> FormatsToProcess)
{
    public static ModuleManifest Parse(string psd1) => new(
        Scalar(psd1, "ModuleVersion"),
        Scalar(psd1, "RootModule"),
        Array(psd1, "CmdletsToExport"),
        Array(psd1, "FormatsToProcess"));

    private static string Scalar(string text, string key) =>
        Regex.Match(text, $@"(?m)^\s*{key}\s*=\s*'([^']*)'") is { Success: true } m ? m.Groups[1].Value
            : throw new FormatException($"The manifest has no {key} = '...'");

    private static List<string> Array(string text, string key)
    {
        var m = Regex.Match(text, $@"(?ms)^\s*{key}\s*=\s*@\((.*?)\)");
        if (!m.Success) throw new FormatException($"The manifest has no {key} = @(...)");
        return Regex.Matches(Regex.Replace(m.Groups[1].Value, "(?m)#.*$", ""), "'([^']*)'").Select(x => x.Groups[1].Value).ToList();
    }
}
