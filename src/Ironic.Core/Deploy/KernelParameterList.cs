using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>
/// The kernel parameters a node boots with, from lowest to highest precedence: the module
/// defaults (options), the node's driver_info/kernel_append_params, the deploy's
/// instance_info/ramdisk_kernel_arguments. A later key=value replaces an earlier one with the same
/// key; bare words are kept once. <c>{node_uuid}</c> and <c>{node_name}</c> are filled in.
/// </summary>
public static class KernelParameterList
{
    public const string NodeKernelParamsKey = "kernel_append_params";
    public const string DeployKernelArgumentsKey = "ramdisk_kernel_arguments";

    public static IReadOnlyList<string> For(Node node, IEnumerable<string> moduleDefaults)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(moduleDefaults);
        var merged = Merge(moduleDefaults, Split(node.DriverInfo.GetValueOrDefault(NodeKernelParamsKey)));
        merged = Merge(merged, Split(node.InstanceInfo.GetValueOrDefault(DeployKernelArgumentsKey)));
        return merged
            .Select(p => p.Replace("{node_uuid}", node.Uuid.ToString("D"), StringComparison.Ordinal)
                          .Replace("{node_name}", node.Name, StringComparison.Ordinal))
            .ToList();
    }

    public static IReadOnlyList<string> Split(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary><paramref name="first"/> then <paramref name="then"/>; a key=value of the second replaces the first's in place.</summary>
    public static IReadOnlyList<string> Merge(IEnumerable<string> first, IEnumerable<string> then)
    {
        var result = new List<string>(first);
        foreach (var parameter in then)
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                var key = parameter[..(equals + 1)];
                var at = result.FindIndex(p => p.StartsWith(key, StringComparison.Ordinal));
                if (at >= 0)
                {
                    result[at] = parameter;
                    for (var i = result.Count - 1; i > at; i--)
                    {
                        if (result[i].StartsWith(key, StringComparison.Ordinal)) result.RemoveAt(i);
                    }
                    continue;
                }
            }
            else if (result.Contains(parameter, StringComparer.Ordinal))
            {
                continue;
            }
            result.Add(parameter);
        }
        return result;
    }
}
