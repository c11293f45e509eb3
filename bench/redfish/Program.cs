using System.Diagnostics;
using System.Globalization;
using Ironic.BmcEmulation;
using Ironic.Core.Redfish;
using Ironic.Core.Tests.Redfish;

// Usage: dotnet run -c Release --project bench/redfish [-- ROUNDS]
// For each BMC profile: the time of one full virtual media cycle (insert + verify + boot once +
// power on + eject) and the requests it took, as ratios to a bare GET of the service root
// measured against the same emulator in the same run. Settle time is off: it is a fixed pause.
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
using var images = new LocalImageServer("bench.iso", 1024 * 1024);
Console.WriteLine($"{"profile",-11} {"bare GET",9} {"cycle",9} {"cycle/GET",10} {"requests",9} {"time/request",13}");
foreach (var profile in Enum.GetValues<BmcProfile>())
{
    await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = profile }, CancellationToken.None);
    using var http = new HttpClient();
    var root = new Uri(bmc.Address, "redfish/v1/");
    for (var i = 0; i < 20; i++) (await http.GetAsync(root)).Dispose(); // warm up
    var get = Stopwatch.StartNew();
    const int gets = 200;
    for (var i = 0; i < gets; i++) (await http.GetAsync(root)).Dispose();
    var bareGet = get.Elapsed.TotalMilliseconds / gets;

    var cycles = new List<double>();
    var requests = 0;
    for (var round = 0; round <= rounds; round++)
    {
        bmc.ClearRequests();
        var clock = Stopwatch.StartNew();
        await using (var hardware = new RedfishHardware(new RedfishClientOptions(bmc.Address) { Username = "admin", Password = "password" }, null)
        {
            InsertOptions = new VirtualMediaInsertOptions { SettleTime = TimeSpan.Zero, VerifyInterval = TimeSpan.FromMilliseconds(20) },
            PowerOptions = new RedfishPowerOptions { PollInterval = TimeSpan.FromMilliseconds(20) },
        })
        {
            await hardware.AttachAndBootAsync(new VirtualMediaBootRequest(images.ImageUrl) { BootOnce = true, PowerOn = true }, CancellationToken.None);
            await hardware.EjectVirtualMediaAsync(CancellationToken.None);
        }
        if (round == 0) continue; // the first round pays for JIT
        cycles.Add(clock.Elapsed.TotalMilliseconds);
        requests = bmc.Requests.Count;
    }
    var cycle = cycles.Order().ElementAt(cycles.Count / 2);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{profile,-11} {bareGet,7:0.00}ms {cycle,7:0.0}ms {cycle / bareGet,9:0}x {requests,9} {cycle / requests / bareGet,12:0.0}x"));
}
Console.WriteLine("cycle/GET: a whole cycle in bare GETs; time/request: each request of the cycle against a bare GET (JSON, sessions, ETags, the BMC's own work).");
