using System.Net.Http.Json;
using System.Text.Json;

namespace Ironic.Core.Boot;

/// <summary>Talks to a running boot server over its HTTP API.</summary>
public sealed class BootServerClient(HttpClient http)
{
    /// <summary>Asks <c>GET /healthz</c>; throws <see cref="BootServerUnavailableException"/> with the reason when it cannot.</summary>
    public async Task<BootServerHealth> GetHealthAsync(Uri server, CancellationToken cancellationToken)
    {
        var url = new Uri(server, "/healthz");
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new BootServerUnavailableException(
                    $"The boot server at {server} answered {(int)response.StatusCode} {response.ReasonPhrase} to GET /healthz. Check that it is an Ironic boot server and look at its log.");
            }
            var health = await response.Content.ReadFromJsonAsync(IronicJsonContext.Default.BootServerHealth, cancellationToken).ConfigureAwait(false)
                ?? throw new BootServerUnavailableException($"The boot server at {server} sent an empty answer to GET /healthz.");
            return health with { Uri = server };
        }
        catch (HttpRequestException e)
        {
            throw new BootServerUnavailableException(
                $"No boot server answers at {server}: {e.Message}. Start one with 'ironic serve' or Start-IronicBootServer, or check the address.", e);
        }
        catch (JsonException e)
        {
            throw new BootServerUnavailableException($"The server at {server} answered GET /healthz with something that is not a boot server's health report: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BootServerUnavailableException($"The boot server at {server} did not answer GET /healthz within {http.Timeout.TotalSeconds:0} s.", e);
        }
    }
}

public sealed class BootServerUnavailableException : Exception
{
    public BootServerUnavailableException(string message) : base(message) { }
    public BootServerUnavailableException(string message, Exception inner) : base(message, inner) { }
}
