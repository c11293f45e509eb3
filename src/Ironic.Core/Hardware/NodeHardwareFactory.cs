using Ironic.Core.Inventory;

namespace Ironic.Core.Hardware;

/// <summary>
/// Picks a node's <see cref="INodeHardware"/> by its hardware type (<c>node.Driver</c>), like
/// Ironic's enabled_hardware_types. <c>fake</c> is registered from the start; other types
/// (<c>redfish</c>) add themselves with <see cref="Register"/> where they are built, so this
/// file does not depend on them.
/// </summary>
public sealed class NodeHardwareFactory
{
    public const string Fake = "fake";
    public const string Redfish = "redfish";

    private readonly Dictionary<string, Func<Node, INodeHardware>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A factory that knows <c>fake</c>, whose machines live in <paramref name="lab"/> (a new lab when null).</summary>
    public NodeHardwareFactory(FakeHardwareLab? lab = null)
    {
        Lab = lab ?? new FakeHardwareLab();
        Register(Fake, Lab.For);
    }

    /// <summary>Where the fake machines this factory hands out live (read their calls after a run).</summary>
    public FakeHardwareLab Lab { get; }

    /// <summary>The hardware types this factory can build, sorted.</summary>
    public IReadOnlyList<string> HardwareTypes => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Adds (or replaces) the builder of one hardware type; returns this factory for chaining.</summary>
    public NodeHardwareFactory Register(string hardwareType, Func<Node, INodeHardware> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hardwareType);
        ArgumentNullException.ThrowIfNull(create);
        _factories[hardwareType] = create;
        return this;
    }

    public bool Supports(string hardwareType) => _factories.ContainsKey(hardwareType);

    /// <summary>The node's hardware; an ArgumentException naming the known types when its driver is not one of them.</summary>
    public INodeHardware Create(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (_factories.TryGetValue(node.Driver, out var create)) return create(node);
        throw new ArgumentException(
            $"Node '{node.Name}' has hardware type '{node.Driver}', which this program cannot drive. Known: {string.Join(", ", HardwareTypes)}. Change it with 'ironic node set {node.Name} --driver ...'.",
            nameof(node));
    }
}
