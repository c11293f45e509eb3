using System.Reflection;
using System.Runtime.InteropServices;

namespace Ironic.HelpBuilder;

/// <summary>A cmdlet as its compiled attributes declare it.</summary>
public sealed record CmdletSignature(
    string Verb,
    string Noun,
    string TypeName,
    bool SupportsShouldProcess,
    string ConfirmImpact,
    string? DefaultParameterSetName,
    IReadOnlyList<string> OutputTypes,
    IReadOnlyList<ParameterSignature> Parameters)
{
    public string Name => $"{Verb}-{Noun}";
}

public sealed record ParameterSignature(string Name, string TypeName, IReadOnlyList<string> Aliases, IReadOnlyList<ParameterSetMembership> Sets)
{
    public bool IsSwitch => TypeName == "SwitchParameter";

    /// <summary>True for -WhatIf and -Confirm, which PowerShell adds to ShouldProcess cmdlets (help may describe them; it need not).</summary>
    public bool IsAddedByPowerShell { get; init; }

    public static IReadOnlyList<ParameterSignature> ShouldProcessParameters { get; } =
    [
        new("WhatIf", "SwitchParameter", ["wi"], [new("__AllParameterSets", false, null, false, false)]) { IsAddedByPowerShell = true },
        new("Confirm", "SwitchParameter", ["cf"], [new("__AllParameterSets", false, null, false, false)]) { IsAddedByPowerShell = true },
    ];
}

public sealed record ParameterSetMembership(string SetName, bool Mandatory, int? Position, bool FromPipeline, bool FromPipelineByPropertyName);

/// <summary>
/// Reads the [Cmdlet] classes of a module assembly with MetadataLoadContext, so that neither
/// PowerShell nor the module's dependencies need to be loadable.
/// </summary>
public sealed class CmdletCatalog : IDisposable
{
    private const string AllParameterSets = "__AllParameterSets";
    private readonly MetadataLoadContext _context;

    public CmdletCatalog(string moduleAssemblyPath, string systemManagementAutomationPath)
    {
        var paths = new List<string>(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"))
        {
            systemManagementAutomationPath,
        };
        var moduleDirectory = Path.GetDirectoryName(Path.GetFullPath(moduleAssemblyPath))!;
        paths.AddRange(Directory.GetFiles(moduleDirectory, "*.dll").Where(p => !Path.GetFileName(p).Equals("System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase)));
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths.Distinct(StringComparer.Ordinal)), "System.Runtime");
        Module = _context.LoadFromAssemblyPath(Path.GetFullPath(moduleAssemblyPath));
        Automation = _context.LoadFromAssemblyPath(systemManagementAutomationPath);
    }

    public Assembly Module { get; }
    public Assembly Automation { get; }

    /// <summary>The verbs PowerShell approves: the constants of the Verbs* classes of System.Management.Automation.</summary>
    public IReadOnlySet<string> ApprovedVerbs() =>
        Automation.GetExportedTypes()
            .Where(t => t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<CmdletSignature> Cmdlets()
    {
        var list = new List<CmdletSignature>();
        foreach (var type in Module.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            var cmdlet = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute");
            if (cmdlet is null) continue;
            var named = cmdlet.NamedArguments.ToDictionary(a => a.MemberName, a => a.TypedValue.Value);
            var impact = named.TryGetValue("ConfirmImpact", out var ci) && ci is int i ? ((string[])["None", "Low", "Medium", "High"])[i] : "Medium";
            var outputs = type.GetCustomAttributesData()
                .Where(a => a.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute")
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> many ? many.Select(m => m.Value) : [arg.Value])
                .Select(v => v is Type t ? t.FullName ?? t.Name : v?.ToString() ?? "")
                .ToList();
            list.Add(new CmdletSignature(
                (string)cmdlet.ConstructorArguments[0].Value!,
                (string)cmdlet.ConstructorArguments[1].Value!,
                type.FullName!,
                named.TryGetValue("SupportsShouldProcess", out var sp) && sp is true,
                impact,
                named.TryGetValue("DefaultParameterSetName", out var dp) ? dp as string : null,
                outputs,
                [.. Parameters(type), .. named.TryGetValue("SupportsShouldProcess", out var sp2) && sp2 is true ? ParameterSignature.ShouldProcessParameters : []]));
        }
        return list.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    private static List<ParameterSignature> Parameters(Type type)
    {
        var result = new List<ParameterSignature>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attributes = property.GetCustomAttributesData();
            var sets = attributes.Where(a => a.AttributeType.FullName == "System.Management.Automation.ParameterAttribute")
                .Select(a =>
                {
                    var n = a.NamedArguments.ToDictionary(x => x.MemberName, x => x.TypedValue.Value);
                    var position = n.TryGetValue("Position", out var p) && p is int pos && pos >= 0 ? pos : (int?)null;
                    return new ParameterSetMembership(
                        n.TryGetValue("ParameterSetName", out var s) && s is string set ? set : AllParameterSets,
                        n.TryGetValue("Mandatory", out var m) && m is true,
                        position,
                        n.TryGetValue("ValueFromPipeline", out var vp) && vp is true,
                        n.TryGetValue("ValueFromPipelineByPropertyName", out var vpp) && vpp is true);
                }).ToList();
            if (sets.Count == 0) continue;
            var aliases = attributes.Where(a => a.AttributeType.FullName == "System.Management.Automation.AliasAttribute")
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> many ? many.Select(x => (string)x.Value!) : [(string)arg.Value!])
                .ToList();
            result.Add(new ParameterSignature(property.Name, FriendlyTypeName(property.PropertyType), aliases, sets));
        }
        return result;
    }

    private static string FriendlyTypeName(Type type)
    {
        if (type.IsArray) return FriendlyTypeName(type.GetElementType()!) + "[]";
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1") return FriendlyTypeName(type.GetGenericArguments()[0]);
        if (type.IsGenericType)
        {
            var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
            return $"{name}[{string.Join(",", type.GetGenericArguments().Select(FriendlyTypeName))}]";
        }
        return type.Name;
    }

    /// <summary>Parameter set names of a cmdlet (the all-sets marker expanded), for the syntax blocks.</summary>
    public static IReadOnlyList<string> ParameterSets(CmdletSignature cmdlet)
    {
        var named = cmdlet.Parameters.SelectMany(p => p.Sets).Select(s => s.SetName).Where(s => s != AllParameterSets).Distinct().ToList();
        return named.Count == 0 ? [AllParameterSets] : named;
    }

    /// <summary>The parameters that take part in a set, with their membership in it.</summary>
    public static IEnumerable<(ParameterSignature Parameter, ParameterSetMembership Membership)> InSet(CmdletSignature cmdlet, string set) =>
        cmdlet.Parameters
            .Select(p => (p, p.Sets.FirstOrDefault(s => s.SetName == set) ?? p.Sets.FirstOrDefault(s => s.SetName == AllParameterSets)))
            .Where(x => x.Item2 is not null)
            .Select(x => (x.p, x.Item2!))
            .OrderBy(x => x.Item2.Position ?? int.MaxValue)
            .ThenBy(x => x.Item2.Mandatory ? 0 : 1);

    public void Dispose() => _context.Dispose();
}
