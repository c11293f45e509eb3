using Ironic.Core.Inventory;

namespace Ironic.Cli.Tests;

/// <summary>The process-wide settings CLI tests share (the same values for every test, so order does not matter).</summary>
internal static class CliTestEnvironment
{
    /// <summary>A fixed credential key, so tests never create a key file in the user's configuration directory.</summary>
    public static void UseTestSecretKey() =>
        Environment.SetEnvironmentVariable(SecretKeySource.EnvironmentVariable, Convert.ToBase64String(new byte[SecretKeySource.KeySize]));
}
