using Ironic.Core.Inventory;

namespace Ironic.Core.Tests;

public class StoreLocationTests
{
    [Fact]
    public void Parse_PostgresUrl_IsPostgreSql_AndHidesPassword()
    {
        var store = StoreLocation.Parse("postgres://ironic:s3cret@db.example:5432/ironic")!;
        Assert.Equal(StoreKind.PostgreSql, store.Kind);
        Assert.DoesNotContain("s3cret", store.ToString(), StringComparison.Ordinal);
        Assert.Contains("ironic:***@db.example", store.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PathOrSqlitePrefix_IsSqliteWithFullPath()
    {
        Assert.Equal(StoreKind.Sqlite, StoreLocation.Parse("x.db")!.Kind);
        Assert.True(Path.IsPathRooted(StoreLocation.Parse("sqlite:x.db")!.Value));
    }

    [Fact]
    public void Parse_OtherUrl_ExplainsWhatIsAccepted()
    {
        var e = Assert.Throws<ArgumentException>(() => StoreLocation.Parse("mysql://db/ironic"));
        Assert.Contains("postgres://", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_IsInTheUsersDataDirectory()
    {
        Assert.Equal(Path.Combine(StoreLocation.DataDirectory(), "ironic.db"), StoreLocation.Default.Value);
        Assert.Null(StoreLocation.Parse("  "));
    }
}
