using System.Reflection;

namespace Ironic.Core;

/// <summary>Facts about this build that every front reports the same way.</summary>
public static class IronicInfo
{
    /// <summary>The product version, taken at build time from module/Ironic.psd1.</summary>
    public static string Version { get; } =
        typeof(IronicInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(IronicInfo).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";
}
