namespace Ironic.Core.Redfish;

/// <summary>
/// How to reach one BMC. TLS certificates are verified unless <see cref="VerifyTls"/> is
/// turned off explicitly; a CA bundle (PEM) can stand in for the system's trust store.
/// </summary>
public sealed record RedfishClientOptions
{
    public RedfishClientOptions(Uri bmcAddress)
    {
        ArgumentNullException.ThrowIfNull(bmcAddress);
        if (!bmcAddress.IsAbsoluteUri || (bmcAddress.Scheme != Uri.UriSchemeHttps && bmcAddress.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The BMC address '{bmcAddress}' is not an http:// or https:// URL. Give it as https://bmc.example.com (optionally with a port).", nameof(bmcAddress));
        }
        if (!string.IsNullOrEmpty(bmcAddress.UserInfo))
        {
            throw new ArgumentException("The BMC address carries credentials in it; pass the user name and password separately (a PSCredential, --username and --password-file).", nameof(bmcAddress));
        }
        BmcAddress = new Uri(bmcAddress.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>The BMC's scheme, host and port; paths such as /redfish/v1 are resolved against it.</summary>
    public Uri BmcAddress { get; }

    public string? Username { get; init; }
    public string? Password { get; init; }

    /// <summary>Verify the BMC's TLS certificate (default). Turn off only when the operator asks (-SkipCertificateCheck, --insecure).</summary>
    public bool VerifyTls { get; init; } = true;

    /// <summary>A PEM file of CA certificates trusted for the BMC, in addition to the system's store.</summary>
    public string? CaBundlePath { get; init; }

    /// <summary>Use a Redfish session (X-Auth-Token); on failure to create one the client falls back to Basic.</summary>
    public bool UseSessions { get; init; } = true;

    /// <summary>How long one request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of a GET on 5xx answers and connection errors.</summary>
    public int ReadRetries { get; init; } = 3;

    /// <summary>Retries of a POST/PATCH/DELETE on answers that say "busy, try again" (503, 409 in use).</summary>
    public int WriteRetries { get; init; } = 3;

    /// <summary>The first pause between retries; it doubles each time unless the BMC sends Retry-After.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause honoured from a Retry-After header.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a task (202 + Location) may run before the client gives up.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Pause between task polls when the BMC sends no Retry-After.</summary>
    public TimeSpan TaskPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Receives one line per request: method, path, status, time. Never a secret.</summary>
    public Action<string>? Log { get; init; }
}
