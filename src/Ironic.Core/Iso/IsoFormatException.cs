namespace Ironic.Core.Iso;

/// <summary>
/// An image that cannot be read or edited safely: malformed, truncated, hostile (loops, extents
/// past the end, absurd sizes) or of a kind we refuse to change. The message names the structure,
/// the byte offset where it went wrong and what to do.
/// </summary>
public class IsoFormatException : Exception
{
    public IsoFormatException(string message) : base(message) { }
    public IsoFormatException(string message, Exception inner) : base(message, inner) { }
}
