using Ironic.Core.Boot;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// The boot servers this PowerShell session started, so that Get- and Stop-IronicBootServer
/// find them; they are killed when the session ends (the child also stops when its stdin, our
/// end of a pipe, closes).
/// </summary>
internal static class BootServerSession
{
    private static readonly List<BootServerProcess> Servers = [];

    public static void Add(BootServerProcess server) { lock (Servers) Servers.Add(server); }

    public static void Remove(BootServerProcess server) { lock (Servers) Servers.Remove(server); }

    public static IReadOnlyList<BootServerProcess> List() { lock (Servers) return Servers.ToList(); }

    /// <summary>The folder of this module's assemblies: where `ironic` ships next to it.</summary>
    public static string ModuleDirectory => Path.GetDirectoryName(typeof(BootServerSession).Assembly.Location) ?? AppContext.BaseDirectory;
}
