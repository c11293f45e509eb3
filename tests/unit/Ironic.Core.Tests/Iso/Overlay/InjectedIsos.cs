using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// Both fixture layouts with kernel parameters injected (and one removed), materialized once per
/// test class: what the real-tool checks and the qemu boots look at.
/// </summary>
public sealed class InjectedIsos
{
    public static readonly string[] Appended = ["ironic.node=n1", "ipa-debug=1", "rd.neednet"];
    public const string Removed = "panic";

    public InjectedIsos()
    {
        var isos = new TestIsos();
        Both = Inject(isos.Both, "both");
        IsoOnly = Inject(isos.IsoOnly, "iso");
    }

    public Injected Both { get; }
    public Injected IsoOnly { get; }

    public sealed record Injected(string Base, string Output, IsoDelta Delta, IReadOnlyList<ChangedFile> Changed);

    internal static Injected Inject(string baseIso, string name)
    {
        var dir = TestIsos.ScratchDirectory();
        var output = Path.Combine(dir, name + "-injected.iso");
        using var stream = File.OpenRead(baseIso);
        var builder = new BootIsoBuilder(IsoImage.Open(stream));
        var changed = builder.EditKernelParameters(new KernelParameterEdit(Appended, [Removed]));
        var delta = builder.Build();
        using var overlay = IsoOverlay.Open(stream, delta);
        overlay.WriteTo(output);
        return new Injected(baseIso, output, delta, changed);
    }
}
