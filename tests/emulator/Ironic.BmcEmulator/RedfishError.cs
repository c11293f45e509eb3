using System.Text.Json.Nodes;

namespace Ironic.BmcEmulation;

/// <summary>
/// An error answer in the shape every Redfish service uses: {"error": {code, message, @Message.ExtendedInfo: [...]}},
/// with message ids and texts after the DMTF Base registry.
/// </summary>
internal sealed record RedfishError(int Status, string MessageId, string Message, string Resolution, params string[] Args)
{
    private const string Registry = "Base.1.12.";

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>JSON pointers of the properties at fault ("#/TransferProtocolType"), as clients such as sushy read them.</summary>
    public IReadOnlyList<string> RelatedProperties { get; init; } = [];

    public JsonObject ToJson()
    {
        var info = new JsonObject
        {
            ["@odata.type"] = "#Message.v1_1_1.Message",
            ["MessageId"] = Registry + MessageId,
            ["Message"] = Message,
            ["MessageArgs"] = new JsonArray(Args.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["MessageSeverity"] = Status >= 500 ? "Critical" : "Warning",
            ["Severity"] = Status >= 500 ? "Critical" : "Warning",
            ["Resolution"] = Resolution,
        };
        if (RelatedProperties.Count > 0)
            info["RelatedProperties"] = new JsonArray(RelatedProperties.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
        return new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = Registry + MessageId,
                ["message"] = Message,
                ["@Message.ExtendedInfo"] = new JsonArray(info),
            },
        };
    }

    public static RedfishError NoValidSession() => new(401, "NoValidSession",
        "There is no valid session established with the implementation.",
        "Establish a session before attempting any operations.");

    public static RedfishError BadCredentials(string path) => new(401, "ResourceAtUriUnauthorized",
        $"While accessing the resource at {path}, the service received an authorization error: the user name or password is incorrect.",
        "Ensure that the appropriate access is provided for the service in order for it to access the URI.", path, "Invalid username or password");

    public static RedfishError ResourceNotFound(string path) => new(404, "ResourceNotFound",
        $"The requested resource of type Resource named '{path}' was not found.",
        "Provide a valid resource identifier and resubmit the request.", "Resource", path);

    public static RedfishError MethodNotAllowed(string method, string path, string allow) => new(405, "OperationNotAllowed",
        $"The HTTP method {method} is not allowed on {path}.", "Do not repeat the operation.", method)
    { Headers = new Dictionary<string, string> { ["Allow"] = allow } };

    public static RedfishError MalformedJson() => new(400, "MalformedJSON",
        "The request body submitted was malformed JSON and could not be parsed by the receiving service.",
        "Ensure that the request body is valid JSON and resubmit the request.");

    public static RedfishError PropertyMissing(string property) => new(400, "PropertyMissing",
        $"The property {property} is a required property and must be included in the request.",
        "Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed.", property)
    { RelatedProperties = [$"#/{property}"] };

    public static RedfishError PropertyUnknown(string property) => new(400, "PropertyUnknown",
        $"The property {property} is not in the list of valid properties for the resource.",
        "Remove the unknown property from the request body and resubmit the request if the operation failed.", property)
    { RelatedProperties = [$"#/{property}"] };

    public static RedfishError PropertyNotWritable(string property) => new(400, "PropertyNotWritable",
        $"The property {property} is a read only property and cannot be assigned a value.",
        "Remove the property from the request body and resubmit the request if the operation failed.", property)
    { RelatedProperties = [$"#/{property}"] };

    public static RedfishError PropertyValueNotInList(string value, string property) => new(400, "PropertyValueNotInList",
        $"The value '{value}' for the property {property} is not in the list of acceptable values.",
        "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.", value, property)
    { RelatedProperties = [$"#/{property}"] };

    public static RedfishError PropertyValueTypeError(string value, string property) => new(400, "PropertyValueTypeError",
        $"The value '{value}' for the property {property} is not a type that the property can accept.",
        "Correct the value for the property in the request body and resubmit the request if the operation failed.", value, property)
    { RelatedProperties = [$"#/{property}"] };

    public static RedfishError ActionParameterMissing(string action, string parameter) => new(400, "ActionParameterMissing",
        $"The action {action} requires the parameter {parameter} to be present in the request body.",
        "Supply the action with the required parameter in the request body when the request is resubmitted.", action, parameter)
    { RelatedProperties = [$"#/{parameter}"] };

    public static RedfishError ActionParameterUnknown(string action, string parameter) => new(400, "ActionParameterUnknown",
        $"The action {action} was submitted with the invalid parameter {parameter}.",
        "Correct the invalid parameter and resubmit the request if the operation failed.", action, parameter)
    { RelatedProperties = [$"#/{parameter}"] };

    public static RedfishError ActionParameterNotSupported(string parameter, string action) => new(400, "ActionParameterNotSupported",
        $"The parameter {parameter} for the action {action} is not supported on the target resource.",
        "Remove the parameter supplied and resubmit the request if the operation failed.", parameter, action)
    { RelatedProperties = [$"#/{parameter}"] };

    public static RedfishError ActionParameterValueNotInList(string value, string parameter, string action) => new(400, "ActionParameterValueNotInList",
        $"The value '{value}' for the parameter {parameter} in the action {action} is not in the list of acceptable values.",
        "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.", value, parameter, action)
    { RelatedProperties = [$"#/{parameter}"] };

    public static RedfishError ActionParameterValueError(string value, string parameter, string action, string why) => new(400, "ActionParameterValueError",
        $"The value '{value}' for the parameter {parameter} in the action {action} is invalid: {why}",
        "Correct the value for the parameter in the request body and resubmit the request if the operation failed.", value, parameter, action)
    { RelatedProperties = [$"#/{parameter}"] };

    /// <summary>The image could not be fetched: ResourceMissingAtURI for a 404, ResourceAtUriUnauthorized for 401/403,
    /// CouldNotEstablishConnection otherwise (DMTF Base registry).</summary>
    public static RedfishError ImageUnreachable(string url, int? status, string why) => status switch
    {
        404 => new(400, "ResourceMissingAtURI", $"The resource at the URI '{url}' was not found: {why}.",
            "Place a valid resource at the URI or correct the URI and resubmit the request.", url),
        401 or 403 => new(400, "ResourceAtUriUnauthorized", $"While accessing the resource at '{url}', the service received an authorization error: {why}.",
            "Ensure that the appropriate access is provided for the service in order for it to access the URI.", url, why),
        _ => new(400, "CouldNotEstablishConnection", $"The service failed to establish a connection with the URI '{url}': {why}.",
            "Ensure that the URI contains a valid and reachable node name, protocol information and other URI components.", url),
    };

    public static RedfishError ResourceInUse(string slot, string image) => new(409, "ResourceInUse",
        $"The change to the requested resource failed because the resource is in use or in transition: {slot} already has {image} inserted.",
        "Eject the inserted media and resubmit the request.");

    public static RedfishError PreconditionRequired(string path) => new(428, "PreconditionRequired",
        $"A precondition header or annotation is required to change the resource at {path}.",
        "Add the If-Match header with the ETag of the resource and resubmit the request.", path);

    public static RedfishError PreconditionFailed(string path) => new(412, "PreconditionFailed",
        $"The ETag supplied did not match the ETag required to change this resource at {path}.",
        "Try the operation again using the appropriate ETag.");

    public static RedfishError ServiceTemporarilyUnavailable(int retryAfter) => new(503, "ServiceTemporarilyUnavailable",
        $"The service is temporarily unavailable. Retry in {retryAfter} seconds.",
        "Wait for the indicated retry duration and retry the operation.", retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture))
    { Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture) } };

    public static RedfishError InternalError(int status, string why) => new(status, "InternalError",
        $"The request failed due to an internal service error: {why}.",
        "Resubmit the request. If the problem persists, consider resetting the service.");

    public static RedfishError NothingToEject(string slot) => new(500, "GeneralError",
        $"Virtual Media is detached or Virtual Media devices are already disconnected ({slot}).",
        "Insert media before ejecting; a slot that reads Inserted=false is already ejected.", slot);

    public static RedfishError SessionsNotSupported() => new(405, "OperationNotAllowed",
        "Session creation is disabled on this service; use HTTP Basic authentication.", "Do not repeat the operation.")
    { Headers = new Dictionary<string, string> { ["Allow"] = "GET" } };
}
