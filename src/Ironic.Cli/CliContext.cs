using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ironic.Core.Inventory;

namespace Ironic.Cli;

/// <summary>
/// What every command shares: where it prints, the common flags (--store, --json) and one
/// way to turn an exception into a message and exit code.
/// </summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>--store PATH|postgres://…; default: $IRONIC_STORE, else the embedded SQLite file.</summary>
    public static Option<string?> StoreOption() => new("--store")
    {
        Description = "The inventory: a SQLite file path or postgres://user@host/db (default: $IRONIC_STORE, else the SQLite file in the user's data directory).",
    };

    /// <summary>--json: print JSON instead of a table.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of a table." };

    public static StoreLocation ResolveStore(ParseResult result, Option<string?> store) => StoreLocation.Resolve(result.GetValue(store));

    /// <summary>Prints rows as an aligned text table with the given column names.</summary>
    public void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var all = rows.Select(r => r.Select(c => c ?? "").ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        Output.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        Output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in all)
        {
            Output.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>Prints "Key  Value" lines for one object.</summary>
    public void WriteProperties(IEnumerable<(string Key, string? Value)> properties)
    {
        var list = properties.ToList();
        var width = list.Count == 0 ? 0 : list.Max(p => p.Key.Length);
        foreach (var (key, value) in list) Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key.PadRight(width)}  {value}"));
    }

    public void WriteJson<T>(T value, JsonTypeInfo<T> type) => Output.WriteLine(JsonSerializer.Serialize(value, type));

    /// <summary>Prints the message of a failure (never a stack trace) and returns exit code 1.</summary>
    public int Fail(Exception e)
    {
        Error.WriteLine($"ironic: {e.Message}");
        return 1;
    }
}
