using Ironic.Core.Hardware;
using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>
/// Everything a front needs to run deploys in its own process: the inventory, the image cache
/// (by default the one a boot server on this host uses) and the hardware types. Deploys run
/// here, under a reservation named after this process (<see cref="RamdiskDeployOptions.ProcessHolder"/>);
/// the node's ISO is published by the boot server that owns the node.
/// </summary>
public sealed class DeploySession : IAsyncDisposable
{
    private DeploySession(IInventoryStore store, ImageCache cache, RamdiskDeploy deploy) => (Store, Cache, Deploy) = (store, cache, deploy);

    public IInventoryStore Store { get; }
    public ImageCache Cache { get; }
    public RamdiskDeploy Deploy { get; }

    /// <summary>
    /// Opens the inventory and the image cache. The cache directory is <paramref name="imageCacheDirectory"/>,
    /// else the configuration's [deploy]image_cache_directory, else the default; its quota and the
    /// default kernel parameters come from <paramref name="configuration"/> (the boot server's ironic.conf).
    /// </summary>
    public static async Task<DeploySession> OpenAsync(StoreLocation store, string? imageCacheDirectory, CancellationToken cancellationToken, bool skipImageCertificateCheck = false, TimeSpan? pollInterval = null, DeployConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        configuration ??= DeployConfiguration.None;
        var inventory = await InventoryStores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        ImageCache? cache = null;
        try
        {
            var http = ImageCache.CreateHttpClient(skipImageCertificateCheck);
            var cacheOptions = new ImageCacheOptions { Directory = imageCacheDirectory ?? configuration.ImageCacheDirectory ?? ImageCacheOptions.DefaultDirectory };
            if (configuration.ImageCacheMaxBytes is { } quota) cacheOptions = cacheOptions with { MaxBytes = quota };
            cache = ImageCache.Open(cacheOptions, http, disposeHttp: true);
            var options = configuration.Apply(new RamdiskDeployOptions
            {
                Conductor = RamdiskDeployOptions.ProcessHolder(),
                PollInterval = pollInterval ?? TimeSpan.FromMilliseconds(500),
            });
            return new DeploySession(inventory, cache, new RamdiskDeploy(inventory, cache, DeployHardware.CreateFactory(), options));
        }
        catch
        {
            cache?.Dispose();
            await inventory.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<DeployStatus> ShowAsync(string node, CancellationToken cancellationToken) =>
        DeployStatus.FromNode(await Store.GetNodeAsync(node, cancellationToken).ConfigureAwait(false) ?? throw NodeNotFoundException.ForNode(node));

    public async ValueTask DisposeAsync()
    {
        Cache.Dispose();
        await Store.DisposeAsync().ConfigureAwait(false);
    }
}
