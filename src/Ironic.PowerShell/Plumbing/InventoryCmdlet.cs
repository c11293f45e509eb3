using System.Collections;
using System.Globalization;
using System.Management.Automation;
using Ironic.Core.Inventory;

namespace Ironic.PowerShell.Plumbing;

/// <summary>
/// Base of the cmdlets that read or change the inventory: the -Store parameter (default
/// $env:IRONIC_STORE, else the SQLite file in the user's data directory), one store opened on
/// first use and closed at the end of the pipeline, and the conversions every such cmdlet needs.
/// </summary>
public abstract class InventoryCmdlet : AsyncPSCmdlet
{
    private IInventoryStore? _store;

    /// <summary>The inventory: a SQLite file path or a postgres:// URL.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>The store, opened and migrated once for the whole pipeline.</summary>
    protected async Task<IInventoryStore> GetStoreAsync(CancellationToken cancellationToken)
    {
        if (_store is not null) return _store;
        var location = StoreLocation.Resolve(Store);
        WriteVerbose($"Inventory: {location}");
        _store = await InventoryStores.OpenAsync(location, cancellationToken).ConfigureAwait(false);
        return _store;
    }

    protected override async Task EndProcessingAsync(CancellationToken cancellationToken)
    {
        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
            _store = null;
        }
    }

    /// <summary>A hashtable's entries as strings; a $null value is left out (the caller may read it as "remove").</summary>
    protected static Dictionary<string, string> ToStringDictionary(Hashtable? table, List<string>? nullKeys = null)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (table is null) return result;
        foreach (DictionaryEntry entry in table)
        {
            var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            if (value is null) nullKeys?.Add(key);
            else result[key] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        }
        return result;
    }

    /// <summary>Writes a failure from Core as a non-terminating error for this item.</summary>
    protected void WriteInventoryError(Exception exception, object? target) => WriteError(ErrorRecords.FromException(exception, target));
}
