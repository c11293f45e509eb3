using System.Collections;
using System.Management.Automation;

namespace Ironic.PowerShell.Plumbing;

/// <summary>
/// -InjectFile @{ '/iso/path' = 'local file' } as (ISO path, local path) pairs, the local paths
/// resolved against the session's current location (on the pipeline thread, before any await).
/// </summary>
internal static class InjectFileTable
{
    public static List<KeyValuePair<string, string>> Resolve(Hashtable? table, SessionState session) =>
        (table ?? []).Cast<DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>(e.Key?.ToString() ?? "", session.Path.GetUnresolvedProviderPathFromPSPath(e.Value?.ToString() ?? "")))
            .ToList();
}
