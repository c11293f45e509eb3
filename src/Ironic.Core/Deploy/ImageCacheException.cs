namespace Ironic.Core.Deploy;

/// <summary>Why an image could not be fetched into the cache.</summary>
public enum ImageCacheFailure
{
    /// <summary>The source does not exist (HTTP 404/410, no such file).</summary>
    NotFound,
    /// <summary>The server answered with an HTTP error other than not-found.</summary>
    HttpError,
    /// <summary>The TLS handshake failed (untrusted or mismatched certificate, protocol).</summary>
    TlsFailure,
    /// <summary>No connection could be made, or it kept breaking.</summary>
    ConnectionFailed,
    /// <summary>The body ended before Content-Length bytes arrived, and resuming did not finish it.</summary>
    ShortRead,
    /// <summary>The bytes arrived but their digest is not the one asked for.</summary>
    ChecksumMismatch,
    /// <summary>The image does not fit in the cache's quota next to the images nodes still use.</summary>
    QuotaExceeded,
    /// <summary>The source is not something the cache can fetch (scheme, malformed).</summary>
    InvalidSource,
}

/// <summary>
/// An image that could not be cached. The message names the source, what happened and what to
/// do; nothing partial is left in the cache.
/// </summary>
public sealed class ImageCacheException : Exception
{
    public ImageCacheException(ImageCacheFailure failure, string message, Exception? inner = null) : base(message, inner) => Failure = failure;

    public ImageCacheFailure Failure { get; }
}
