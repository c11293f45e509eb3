using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ironic.BmcEmulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Usage: dotnet run -c Release --project bench/bmc-emulator [-- COUNT REQUESTS]
// Starts COUNT emulators (default 50) and COUNT bare Kestrel apps that answer a fixed JSON (the
// reference, measured in the same run), then sends REQUESTS authenticated GETs (default 2000)
// spread over them. Prints each figure and the emulator/reference ratio.
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
var requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
var json = "{\"@odata.id\":\"/redfish/v1/Systems/1\",\"PowerState\":\"Off\"}"u8.ToArray();

// Warm-up round (JIT, first sockets) so that neither side pays it in the measured one.
await MeasureAsync("warm-up bare Kestrel", () => StartBareAsync(2), 50);
await MeasureAsync("warm-up BmcEmulator", () => StartEmulatorsAsync(2), 50);
var reference = await MeasureAsync("bare Kestrel", () => StartBareAsync(count), requests);
var emulated = await MeasureAsync("BmcEmulator", () => StartEmulatorsAsync(count), requests);

Console.WriteLine($"{count} instances, {requests} GETs each run");
Console.WriteLine($"{"",-14}{"start ms",12}{"MiB/instance",14}{"GET/s",10}");
Console.WriteLine($"{"bare Kestrel",-14}{reference.StartMs,12:F0}{reference.MiBPerInstance,14:F2}{reference.RequestsPerSecond,10:F0}");
Console.WriteLine($"{"BmcEmulator",-14}{emulated.StartMs,12:F0}{emulated.MiBPerInstance,14:F2}{emulated.RequestsPerSecond,10:F0}");
Console.WriteLine($"ratio (emulator / bare Kestrel): start {emulated.StartMs / reference.StartMs:F2}x, memory {emulated.MiBPerInstance / reference.MiBPerInstance:F2}x, GET throughput {emulated.RequestsPerSecond / reference.RequestsPerSecond:F2}x");

async Task<List<(Uri Url, IAsyncDisposable Server)>> StartBareAsync(int n)
{
    var apps = new List<(Uri, IAsyncDisposable)>();
    for (var i = 0; i < n; i++)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(c =>
        {
            c.Response.ContentType = "application/json";
            return c.Response.Body.WriteAsync(json).AsTask();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        apps.Add((new Uri(address + "/redfish/v1/Systems/1"), app));
    }
    return apps;
}

async Task<List<(Uri Url, IAsyncDisposable Server)>> StartEmulatorsAsync(int n)
{
    var bmcs = new List<(Uri, IAsyncDisposable)>();
    for (var i = 0; i < n; i++)
    {
        var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), CancellationToken.None);
        bmcs.Add((new Uri(bmc.Address, "redfish/v1/Systems/1"), bmc));
    }
    return bmcs;
}

async Task<Result> MeasureAsync(string name, Func<Task<List<(Uri Url, IAsyncDisposable Server)>>> start, int requests)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var before = Process.GetCurrentProcess().WorkingSet64;
    var clock = Stopwatch.StartNew();
    var servers = await start();
    var startMs = clock.Elapsed.TotalMilliseconds;
    using var http = new HttpClient();
    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:password"u8));
    foreach (var (url, _) in servers) (await http.GetAsync(url)).EnsureSuccessStatusCode();
    GC.Collect();
    var mib = (Process.GetCurrentProcess().WorkingSet64 - before) / 1048576.0 / servers.Count;

    clock.Restart();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < requests)
        {
            using var response = await http.GetAsync(servers[i % servers.Count].Url);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }
    }));
    var perSecond = requests / clock.Elapsed.TotalSeconds;
    foreach (var (_, server) in servers) await server.DisposeAsync();
    Console.Error.WriteLine($"{name}: done");
    return new Result(startMs, mib, perSecond);
}

internal sealed record Result(double StartMs, double MiBPerInstance, double RequestsPerSecond);
