using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Ironic.BmcEmulation;

/// <summary>
/// Fetches an inserted image the way BMCs do: HEAD for the size, then Range GETs of a fixed chunk,
/// hashing as it goes (only the count and the SHA-256 are kept, so 50 emulators stay light).
/// </summary>
internal sealed class ImageDownloader(HttpClient http, int chunkSize)
{
    /// <summary>Why a HEAD of an image failed: the status it answered (null when nothing answered) and the reason.</summary>
    public sealed record ProbeFailure(int? Status, string Why);

    /// <summary>HEAD only: null when the image answers 2xx, else the status and the reason in a BMC's words.</summary>
    public async Task<ProbeFailure?> ProbeAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var head = new HttpRequestMessage(HttpMethod.Head, url);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await http.SendAsync(head, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : new ProbeFailure((int)response.StatusCode, $"HEAD {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ProbeFailure(null, $"unable to connect to {url.GetLeftPart(UriPartial.Authority)}: {e.Message}");
        }
    }

    /// <summary>Runs the whole download, reporting each step through <paramref name="report"/>.</summary>
    public async Task RunAsync(Uri url, bool headOnly, Action<ImageDownload> report, CancellationToken cancellationToken)
    {
        var progress = new ImageDownload(ImageDownloadStatus.InProgress, url.ToString(), null, 0, null, 0, null);
        report(progress);
        try
        {
            long length;
            using (var head = new HttpRequestMessage(HttpMethod.Head, url))
            using (var response = await http.SendAsync(head, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    report(progress with { Status = ImageDownloadStatus.Failed, Error = $"HEAD {url} answered {(int)response.StatusCode} {response.ReasonPhrase}" });
                    return;
                }
                if (response.Content.Headers.ContentLength is not { } size)
                {
                    report(progress with { Status = ImageDownloadStatus.Failed, Error = $"HEAD {url} gave no Content-Length; the image size is needed to read it in ranges" });
                    return;
                }
                length = size;
            }
            progress = progress with { ContentLength = length };
            if (headOnly)
            {
                report(progress with { Status = ImageDownloadStatus.Probed });
                return;
            }
            report(progress);

            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[Math.Min(chunkSize, 81920)];
            for (long offset = 0; offset < length; offset += chunkSize)
            {
                var last = Math.Min(offset + chunkSize, length) - 1;
                using var get = new HttpRequestMessage(HttpMethod.Get, url);
                get.Headers.Range = new RangeHeaderValue(offset, last);
                using var response = await http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                progress = progress with { RangeRequests = progress.RangeRequests + 1 };
                if (response.StatusCode != HttpStatusCode.PartialContent)
                {
                    var why = response.StatusCode == HttpStatusCode.OK
                        ? "the image server ignored the Range header (answered 200, not 206)"
                        : $"answered {(int)response.StatusCode} {response.ReasonPhrase}";
                    report(progress with { Status = ImageDownloadStatus.Failed, Error = $"GET {url} bytes={offset}-{last}: {why}" });
                    return;
                }
                if (response.Content.Headers.ContentRange is { From: { } from } && from != offset)
                {
                    report(progress with { Status = ImageDownloadStatus.Failed, Error = $"GET {url} bytes={offset}-{last}: Content-Range starts at {from.ToString(CultureInfo.InvariantCulture)}" });
                    return;
                }
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        sha.AppendData(buffer, 0, read);
                        progress = progress with { BytesReceived = progress.BytesReceived + read };
                    }
                }
                if (progress.BytesReceived != last + 1)
                {
                    report(progress with { Status = ImageDownloadStatus.Failed, Error = $"GET {url} bytes={offset}-{last}: got {progress.BytesReceived - offset} bytes, expected {last - offset + 1}" });
                    return;
                }
                report(progress);
            }
            report(progress with { Status = ImageDownloadStatus.Completed, Sha256 = Convert.ToHexStringLower(sha.GetHashAndReset()) });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            report(progress with { Status = ImageDownloadStatus.Cancelled, Error = "ejected before the download finished" });
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            report(progress with { Status = ImageDownloadStatus.Failed, Error = $"unable to read {url}: {e.Message}" });
        }
    }
}
