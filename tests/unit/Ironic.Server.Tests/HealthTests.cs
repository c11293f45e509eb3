using Ironic.Core;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests;

public class HealthTests
{
    [Fact]
    public async Task Healthz_ReportsVersionNameAndStore()
    {
        var store = StoreLocation.Sqlite(Path.Combine(Path.GetTempPath(), "health-test.db"));
        await using var server = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "c1", Store = store });
        await server.StartAsync(CancellationToken.None);
        using var http = new HttpClient();

        var health = await new BootServerClient(http).GetHealthAsync(server.Address!, CancellationToken.None);

        Assert.Equal("ok", health.Status);
        Assert.Equal("c1", health.Name);
        Assert.Equal(IronicInfo.Version, health.Version);
        Assert.Equal(store.Value, health.Store);
        Assert.Equal(server.Address, health.Uri);
    }

    [Fact]
    public async Task Client_ExplainsWhenNothingAnswers()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var e = await Assert.ThrowsAsync<BootServerUnavailableException>(
            () => new BootServerClient(http).GetHealthAsync(new Uri("http://127.0.0.1:1"), CancellationToken.None));
        Assert.Contains("ironic serve", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:6385", "127.0.0.1:6385")]
    [InlineData("6385", "127.0.0.1:6385")]
    [InlineData("localhost:80", "127.0.0.1:80")]
    [InlineData("[::1]:6385", "[::1]:6385")]
    [InlineData("*:6385", "0.0.0.0:6385")]
    public void ParseListen_AcceptsUsualForms(string text, string expected) =>
        Assert.Equal(expected, BootServerOptions.ParseListen(text).ToString());

    [Fact]
    public void ParseListen_RejectsNonsenseWithAnExample()
    {
        var e = Assert.Throws<ArgumentException>(() => BootServerOptions.ParseListen("somewhere"));
        Assert.Contains("127.0.0.1:6385", e.Message, StringComparison.Ordinal);
    }
}
