using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ironic.Core.Inventory;

/// <summary>
/// A 48-bit Ethernet MAC address. Accepts <c>52:54:00:12:34:56</c>, <c>52-54-00-12-34-56</c> and
/// <c>525400123456</c> in any case; <see cref="ToString"/> gives the one stored form (lower case,
/// colons), <see cref="ToHyphenated"/> the form iPXE's <c>${netX/mac:hexhyp}</c> produces.
/// </summary>
public readonly record struct MacAddress
{
    private const int ColonFormLength = 17;
    private const int BareFormLength = 12;

    private readonly ulong _value;

    private MacAddress(ulong value) => _value = value;

    /// <summary>The address as a 48-bit number (first octet in the most significant byte).</summary>
    public ulong Value => _value;

    /// <summary>Parses a MAC in any accepted form; throws a <see cref="FormatException"/> naming the input and the forms.</summary>
    public static MacAddress Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (TryParse(value.AsSpan(), out var mac)) return mac;
        var shown = value.Length > 40 ? value[..40] + "…" : value;
        throw new FormatException(
            $"'{shown}' is not a MAC address. Give six hexadecimal octets as 52:54:00:12:34:56, 52-54-00-12-34-56 or 525400123456.");
    }

    public static bool TryParse([NotNullWhen(true)] string? value, out MacAddress mac)
    {
        if (value is null) { mac = default; return false; }
        return TryParse(value.AsSpan(), out mac);
    }

    /// <summary>Parses without allocating; false for anything but the three forms (a mix of ':' and '-' is refused).</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out MacAddress mac)
    {
        mac = default;
        value = value.Trim();
        ulong result = 0;
        if (value.Length == BareFormLength)
        {
            foreach (var c in value)
            {
                if (!TryHexDigit(c, out var digit)) return false;
                result = (result << 4) | digit;
            }
        }
        else if (value.Length == ColonFormLength)
        {
            var separator = value[2];
            if (separator is not (':' or '-')) return false;
            for (var octet = 0; octet < 6; octet++)
            {
                var at = octet * 3;
                if (octet > 0 && value[at - 1] != separator) return false;
                if (!TryHexDigit(value[at], out var high) || !TryHexDigit(value[at + 1], out var low)) return false;
                result = (result << 8) | (high << 4) | low;
            }
        }
        else
        {
            return false;
        }
        mac = new MacAddress(result);
        return true;
    }

    /// <summary>The stored form (<c>52:54:00:12:34:56</c>) of a MAC given in any accepted form.</summary>
    public static string Normalize(string value) => Parse(value).ToString();

    /// <summary>Like <see cref="Normalize"/>, false instead of an exception.</summary>
    public static bool TryNormalize([NotNullWhen(true)] string? value, [NotNullWhen(true)] out string? normalized)
    {
        if (TryParse(value, out var mac))
        {
            normalized = mac.ToString();
            return true;
        }
        normalized = null;
        return false;
    }

    /// <summary>Lower case with colons: the form the inventory stores and compares.</summary>
    public override string ToString() => Format(':');

    /// <summary>Lower case with hyphens (<c>52-54-00-12-34-56</c>), as iPXE's <c>mac:hexhyp</c>.</summary>
    public string ToHyphenated() => Format('-');

    private string Format(char separator)
    {
        var value = _value;
        return string.Create(ColonFormLength, (value, separator), static (span, state) =>
        {
            for (var octet = 0; octet < 6; octet++)
            {
                var b = (byte)(state.value >> (8 * (5 - octet)));
                var at = octet * 3;
                b.TryFormat(span.Slice(at, 2), out _, "x2", CultureInfo.InvariantCulture);
                if (octet < 5) span[at + 2] = state.separator;
            }
        });
    }

    private static bool TryHexDigit(char c, out ulong digit)
    {
        digit = c switch
        {
            >= '0' and <= '9' => (ulong)(c - '0'),
            >= 'a' and <= 'f' => (ulong)(c - 'a' + 10),
            >= 'A' and <= 'F' => (ulong)(c - 'A' + 10),
            _ => ulong.MaxValue,
        };
        return digit != ulong.MaxValue;
    }
}
