using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Inventory;

public class MacAddressTests
{
    [Theory]
    [InlineData("52:54:00:12:34:56")]
    [InlineData("52-54-00-12-34-56")]
    [InlineData("525400123456")]
    [InlineData("52:54:00:12:34:56 ")]
    [InlineData("  525400123456")]
    public void Normalize_AnyAcceptedForm_GivesLowerColonForm(string input)
    {
        Assert.Equal("52:54:00:12:34:56", MacAddress.Normalize(input));
    }

    [Theory]
    [InlineData("AA:BB:CC:DD:EE:FF")]
    [InlineData("aa-BB-cc-DD-ee-FF")]
    [InlineData("AABBCCDDEEFF")]
    public void Normalize_AnyCase_GivesLowerCase(string input)
    {
        Assert.Equal("aa:bb:cc:dd:ee:ff", MacAddress.Normalize(input));
        Assert.Equal("aa-bb-cc-dd-ee-ff", MacAddress.Parse(input).ToHyphenated());
    }

    [Theory]
    [InlineData("")]
    [InlineData("52:54:00:12:34")]
    [InlineData("52:54:00:12:34:56:78")]
    [InlineData("52:54-00:12:34:56")]
    [InlineData("52.54.00.12.34.56")]
    [InlineData("5254001234567")]
    [InlineData("52:54:00:12:34:5g")]
    [InlineData("52%3A54%3A00%3A12%3A34%3A56")]
    [InlineData("../../etc/passwd")]
    public void TryParse_RefusesAnythingElse(string input)
    {
        Assert.False(MacAddress.TryParse(input, out _));
        Assert.False(MacAddress.TryNormalize(input, out _));
    }

    [Fact]
    public void TryParse_VeryLongInput_IsRefusedQuickly()
    {
        Assert.False(MacAddress.TryParse(new string('a', 100_000), out _));
        Assert.False(MacAddress.TryParse((string?)null, out _));
    }

    [Fact]
    public void Parse_BadInput_SaysWhatIsAccepted()
    {
        var e = Assert.Throws<FormatException>(() => MacAddress.Parse("nope"));
        Assert.Contains("'nope' is not a MAC address", e.Message, StringComparison.Ordinal);
        Assert.Contains("52-54-00-12-34-56", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_AndEquality_FollowTheOctets()
    {
        var a = MacAddress.Parse("00:00:00:00:01:02");
        Assert.Equal(0x0102UL, a.Value);
        Assert.Equal(a, MacAddress.Parse("000000000102"));
        Assert.NotEqual(a, MacAddress.Parse("00:00:00:00:01:03"));
    }
}
