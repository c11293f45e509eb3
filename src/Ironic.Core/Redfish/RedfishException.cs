using System.Net;

namespace Ironic.Core.Redfish;

/// <summary>One entry of a BMC's <c>@Message.ExtendedInfo</c>: the registry id and the BMC's own words.</summary>
public sealed record RedfishMessage(string? MessageId, string? Message, string? Resolution = null)
{
    public override string ToString() =>
        (MessageId, Message) switch
        {
            ({ Length: > 0 } id, { Length: > 0 } m) => $"{id}: {m}",
            (_, { Length: > 0 } m) => m,
            ({ Length: > 0 } id, _) => id,
            _ => "",
        };
}

/// <summary>
/// A Redfish request that failed. Carries the method, the URL (never credentials), the HTTP
/// status and what the BMC said, so an operator can read the BMC's own words.
/// </summary>
public class RedfishException : Exception
{
    public RedfishException(string message) : base(message) { }
    public RedfishException(string message, Exception inner) : base(message, inner) { }

    public RedfishException(string message, RedfishFailure failure, Exception? inner = null) : base(message, inner)
    {
        Method = failure.Method;
        Url = failure.Url;
        StatusCode = failure.StatusCode;
        BmcMessages = failure.Messages;
    }

    /// <summary>The HTTP method of the failed request, when there was one.</summary>
    public string? Method { get; }

    /// <summary>The URL of the failed request (never with credentials in it).</summary>
    public Uri? Url { get; }

    /// <summary>The HTTP status the BMC answered, or null when it did not answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The pause the BMC asked for (Retry-After), when it did.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>What the BMC said (<c>error.@Message.ExtendedInfo</c>, or <c>error.message</c>).</summary>
    public IReadOnlyList<RedfishMessage> BmcMessages { get; } = [];

    /// <summary>True when one of the BMC's messages has this id (compared without the registry version).</summary>
    public bool HasMessageId(string shortId) => BmcMessages.Any(m => RedfishFailure.MessageIdIs(m.MessageId, shortId));

    /// <summary>True when one of the BMC's messages mentions the given word (a parameter or property name).</summary>
    public bool Mentions(string word) => BmcMessages.Any(m => m.Message?.Contains(word, StringComparison.OrdinalIgnoreCase) == true);
}

/// <summary>The BMC refused the credentials (401), also after a fresh session or Basic authentication.</summary>
public sealed class RedfishAuthenticationException : RedfishException
{
    public RedfishAuthenticationException(string message, RedfishFailure failure) : base(message, failure) { }
}

/// <summary>No BMC answered: DNS, connection refused, TLS failure or timeout.</summary>
public sealed class RedfishUnreachableException : RedfishException
{
    public RedfishUnreachableException(string message, RedfishFailure failure, Exception? inner) : base(message, failure, inner) { }
}

/// <summary>The BMC answered and refused the request or action (4xx other than 401/404, or a failed task).</summary>
public sealed class RedfishActionRefusedException : RedfishException
{
    public RedfishActionRefusedException(string message, RedfishFailure failure, Exception? inner = null) : base(message, failure, inner) { }
}

/// <summary>The resource does not exist on this BMC (404), or the service has no such thing (no CD slot, no system).</summary>
public sealed class RedfishNotFoundException : RedfishException
{
    public RedfishNotFoundException(string message, RedfishFailure failure) : base(message, failure) { }
    public RedfishNotFoundException(string message) : base(message) { }
}

/// <summary>The BMC or the resource is busy: 503 or 409 after the retries, or a slot holding another image.</summary>
public sealed class RedfishBusyException : RedfishException
{
    public RedfishBusyException(string message, RedfishFailure failure) : base(message, failure) { }
    public RedfishBusyException(string message) : base(message) { }
}

/// <summary>What is known about a failed request; the exception types above are built from it.</summary>
public sealed record RedfishFailure(string? Method, Uri? Url, HttpStatusCode? StatusCode, IReadOnlyList<RedfishMessage> Messages)
{
    public static RedfishFailure None { get; } = new(null, null, null, []);

    /// <summary>"Base.1.8.ActionParameterMissing" matches "ActionParameterMissing".</summary>
    public static bool MessageIdIs(string? messageId, string shortId) =>
        messageId is not null && (messageId.Equals(shortId, StringComparison.OrdinalIgnoreCase)
            || messageId.EndsWith("." + shortId, StringComparison.OrdinalIgnoreCase));

    /// <summary>The BMC's words as one line: "Id: message; Id: message", or "" when it said nothing.</summary>
    public string BmcSaid => string.Join("; ", Messages.Select(m => m.ToString()).Where(s => s.Length > 0));
}
