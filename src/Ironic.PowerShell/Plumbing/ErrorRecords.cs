using System.Management.Automation;
using Ironic.Core.Boot;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;
using Ironic.Core.Redfish;
using Ironic.Core.Iso;
using Ironic.Core.Iso.Fat;

namespace Ironic.PowerShell.Plumbing;

/// <summary>
/// Builds ErrorRecords with a PascalCase ErrorId, a specific category and the input as
/// target. Core's exceptions map to ids here, in one table, so every cmdlet reports a given
/// failure the same way.
/// </summary>
public static class ErrorRecords
{
    public static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object? target) =>
        new(exception, errorId, category, target);

    /// <summary>The record for a failure from Core: a known exception type gets its own id and category.</summary>
    public static ErrorRecord FromException(Exception exception, object? target)
    {
        var (id, category) = Classify(exception);
        return new ErrorRecord(exception, id, category, target);
    }

    /// <summary>The ErrorId and category for an exception (PowerShell-free, so tests can check it).</summary>
    public static (string ErrorId, ErrorCategory Category) Classify(Exception exception) => exception switch
    {
        BootServerUnavailableException => ("BootServerUnavailable", ErrorCategory.ConnectionError),
        DeployException { Failure: DeployFailure.NodeLocked } => ("NodeLocked", ErrorCategory.ResourceBusy),
        DeployException { Failure: DeployFailure.InvalidState } => ("DeployInvalidState", ErrorCategory.InvalidOperation),
        DeployException { Failure: DeployFailure.InvalidInstanceInfo } => ("DeployInvalidInstanceInfo", ErrorCategory.InvalidArgument),
        DeployException { Failure: DeployFailure.NoImageServer } => ("NoBootServerForImage", ErrorCategory.ResourceUnavailable),
        DeployException { Failure: DeployFailure.Timeout } => ("DeployTimedOut", ErrorCategory.OperationTimeout),
        DeployException => ("DeployFailed", ErrorCategory.NotSpecified),
        ImageCacheException { Failure: ImageCacheFailure.NotFound } => ("ImageNotFound", ErrorCategory.ObjectNotFound),
        ImageCacheException { Failure: ImageCacheFailure.ChecksumMismatch } => ("ImageChecksumMismatch", ErrorCategory.InvalidData),
        ImageCacheException { Failure: ImageCacheFailure.TlsFailure } => ("ImageTlsFailure", ErrorCategory.SecurityError),
        ImageCacheException { Failure: ImageCacheFailure.ShortRead } => ("ImageShortRead", ErrorCategory.ReadError),
        ImageCacheException { Failure: ImageCacheFailure.QuotaExceeded } => ("ImageCacheFull", ErrorCategory.QuotaExceeded),
        ImageCacheException { Failure: ImageCacheFailure.InvalidSource } => ("ImageSourceInvalid", ErrorCategory.InvalidArgument),
        ImageCacheException => ("ImageDownloadFailed", ErrorCategory.ConnectionError),
        NodeNotFoundException => ("NodeNotFound", ErrorCategory.ObjectNotFound),
        InventoryConflictException => ("InventoryConflict", ErrorCategory.ResourceExists),
        NodeLockedException => ("NodeLocked", ErrorCategory.ResourceBusy),
        InventoryStoreException => ("InventoryStoreUnavailable", ErrorCategory.ConnectionError),
        CredentialKeyException => ("CredentialKeyMismatch", ErrorCategory.SecurityError),
        InventoryException => ("InventoryError", ErrorCategory.NotSpecified),
        RedfishAuthenticationException => ("BmcAuthenticationFailed", ErrorCategory.AuthenticationError),
        RedfishUnreachableException => ("BmcUnreachable", ErrorCategory.ConnectionError),
        RedfishNotFoundException => ("BmcResourceNotFound", ErrorCategory.ObjectNotFound),
        RedfishBusyException => ("BmcBusy", ErrorCategory.ResourceBusy),
        RedfishActionRefusedException => ("BmcActionRefused", ErrorCategory.InvalidOperation),
        RedfishException => ("BmcRequestFailed", ErrorCategory.ProtocolError),
        NotSupportedException => ("NotSupportedByBmc", ErrorCategory.NotImplemented),
        FatVolumeFullException => ("EfiImageFull", ErrorCategory.WriteError),
        IsoFormatException => ("IsoFormatInvalid", ErrorCategory.InvalidData),
        FileNotFoundException => ("FileNotFound", ErrorCategory.ObjectNotFound),
        DirectoryNotFoundException => ("DirectoryNotFound", ErrorCategory.ObjectNotFound),
        UnauthorizedAccessException => ("AccessDenied", ErrorCategory.PermissionDenied),
        TimeoutException => ("OperationTimedOut", ErrorCategory.OperationTimeout),
        HttpRequestException => ("HttpRequestFailed", ErrorCategory.ConnectionError),
        ArgumentException => ("InvalidArgument", ErrorCategory.InvalidArgument),
        FormatException => ("InvalidFormat", ErrorCategory.InvalidData),
        InvalidOperationException => ("InvalidOperation", ErrorCategory.InvalidOperation),
        IOException => ("IOError", ErrorCategory.WriteError),
        _ => ("UnexpectedError", ErrorCategory.NotSpecified),
    };
}
