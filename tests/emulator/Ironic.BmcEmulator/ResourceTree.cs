using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ironic.BmcEmulation;

/// <summary>
/// The Redfish resources of one BMC, keyed by @odata.id, loaded from DMTF-mockup-style index.json files.
/// Not thread-safe: <see cref="BmcState"/> guards it with its lock.
/// </summary>
internal sealed class ResourceTree
{
    public const string Root = "/redfish/v1";

    private readonly Dictionary<string, JsonObject> _resources = new(StringComparer.Ordinal);

    /// <summary>Action target URI to (resource path, action name such as "VirtualMedia.InsertMedia").</summary>
    private readonly Dictionary<string, (string Resource, string Action)> _actions = new(StringComparer.Ordinal);

    public IEnumerable<KeyValuePair<string, JsonObject>> All => _resources;

    public JsonObject? Find(string path) => _resources.GetValueOrDefault(Normalize(path));

    public bool TryFindAction(string target, out string resource, out string action)
    {
        if (_actions.TryGetValue(Normalize(target), out var found))
        {
            (resource, action) = found;
            return true;
        }
        (resource, action) = ("", "");
        return false;
    }

    public void Add(string path, JsonObject resource)
    {
        path = Normalize(path);
        resource["@odata.id"] = path;
        _resources[path] = resource;
        if (resource["Actions"] is JsonObject actions)
        {
            foreach (var (name, body) in actions)
            {
                if (name.StartsWith('#') && body?["target"]?.GetValue<string>() is { } target)
                    _actions[Normalize(target)] = (path, name[1..]);
            }
        }
    }

    public void Remove(string path) => _resources.Remove(Normalize(path));

    /// <summary>Removes the actions of a resource (a PATCH-only slot) from the JSON and the target table.</summary>
    public void RemoveActions(string path)
    {
        if (Find(path) is not { } resource || resource["Actions"] is not JsonObject actions) return;
        foreach (var (_, body) in actions)
        {
            if (body?["target"]?.GetValue<string>() is { } target) _actions.Remove(Normalize(target));
        }
        resource.Remove("Actions");
    }

    public IEnumerable<string> PathsOfType(string typePrefix) =>
        _resources.Where(r => r.Value["@odata.type"]?.GetValue<string>() is { } type && type.StartsWith(typePrefix, StringComparison.Ordinal))
            .Select(r => r.Key)
            .OrderBy(p => p, StringComparer.Ordinal);

    /// <summary>"/redfish/v1/Systems/1/" and "/redfish/v1/Systems/1" are one resource.</summary>
    public static string Normalize(string path)
    {
        var q = path.IndexOfAny(['?', '#']);
        if (q >= 0) path = path[..q];
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    /// <summary>Loads every index.json under a folder. The folder is either /redfish/v1 itself or holds redfish/v1/.</summary>
    public static ResourceTree LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The mockup folder '{directory}' does not exist: give a folder of index.json files (the one for /redfish/v1, or one holding redfish/v1/).");
        var root = Path.Combine(directory, "redfish", "v1");
        if (!File.Exists(Path.Combine(root, "index.json"))) root = directory;
        if (!File.Exists(Path.Combine(root, "index.json")))
            throw new FileNotFoundException($"The mockup folder '{directory}' has no index.json for the service root (looked in it and in redfish/v1/ under it).");
        var files = Directory.EnumerateFiles(root, "index.json", SearchOption.AllDirectories)
            .Select(f => (Relative: Path.GetRelativePath(root, Path.GetDirectoryName(f)!), Json: File.ReadAllText(f)));
        return Load(files, directory);
    }

    /// <summary>Loads the built-in mockup of a profile from this assembly's resources.</summary>
    public static ResourceTree LoadBuiltIn(BmcProfile profile)
    {
        var prefix = $"Mockups/{BmcProfiles.MockupName(profile)}/";
        var assembly = typeof(ResourceTree).Assembly;
        var files = new List<(string, string)>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var normalized = name.Replace('\\', '/');
            if (!normalized.StartsWith(prefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var relative = Path.GetDirectoryName(normalized[prefix.Length..].Replace('/', Path.DirectorySeparatorChar)) ?? "";
            files.Add((relative.Length == 0 ? "." : relative, reader.ReadToEnd()));
        }
        if (files.Count == 0) throw new InvalidOperationException($"The built-in mockup '{prefix}' is missing from {assembly.GetName().Name}: rebuild the emulator.");
        return Load(files, $"built-in {prefix}");
    }

    private static ResourceTree Load(IEnumerable<(string Relative, string Json)> files, string source)
    {
        var tree = new ResourceTree();
        foreach (var (relative, json) in files)
        {
            var folderPath = relative == "." ? Root : $"{Root}/{relative.Replace(Path.DirectorySeparatorChar, '/')}";
            JsonObject resource;
            try
            {
                resource = JsonNode.Parse(json) as JsonObject
                    ?? throw new InvalidDataException($"{folderPath}/index.json in {source} is not a JSON object.");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{folderPath}/index.json in {source} is not valid JSON: {e.Message}", e);
            }
            // DMTF mockups name each resource by @odata.id; the folder is only the fallback.
            var path = resource["@odata.id"]?.GetValue<string>() ?? folderPath;
            tree.Add(path, resource);
        }
        if (tree.Find(Root) is null) throw new InvalidDataException($"The mockup {source} has no service root ({Root}).");
        return tree;
    }
}
