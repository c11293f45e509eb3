using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;

namespace Ironic.Core.Tests.Iso.Overlay;

public class ImplantedMd5Tests(TestIsos isos) : IClassFixture<TestIsos>
{
    [Fact]
    public void Edit_BlanksAnImplantedMediaCheckSum_SoCheckisomd5SaysNotAvailableInsteadOfFail()
    {
        var dir = TestIsos.ScratchDirectory();
        var implanted = Path.Combine(dir, "implanted.iso");
        File.Copy(isos.IsoOnly, implanted);
        ExternalTool.RunChecked("implantisomd5", "isomd5sum", implanted);
        Assert.Contains("result is: PASS", Check(implanted), StringComparison.Ordinal);

        static string Check(string iso)
        {
            var r = ExternalTool.Run("checkisomd5", "isomd5sum", [iso]);
            return r.Output + r.Error;
        }

        string Make(bool blank)
        {
            var output = Path.Combine(dir, blank ? "blanked.iso" : "kept.iso");
            using var stream = File.OpenRead(implanted);
            var image = IsoImage.Open(stream);
            Assert.True(image.HasImplantedMd5);
            var builder = new BootIsoBuilder(image);
            builder.EditKernelParameters(new KernelParameterEdit(["ironic.node=n1"], []));
            using var overlay = IsoOverlay.Open(stream, builder.Build(blankImplantedMd5: blank));
            overlay.WriteTo(output);
            return output;
        }

        var blanked = Make(blank: true);
        Assert.Contains("result is: NA", Check(blanked), StringComparison.Ordinal);
        using (var s = File.OpenRead(blanked)) Assert.False(IsoImage.Open(s).HasImplantedMd5);
        // Without blanking, the stale sum fails the media check: why the default blanks it.
        Assert.Contains("result is: FAIL", Check(Make(blank: false)), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithImplant_WritesASumThatCheckisomd5Passes_EvenWhenTheImageGrew()
    {
        var dir = TestIsos.ScratchDirectory();
        var output = Path.Combine(dir, "implanted.iso");
        using (var stream = File.OpenRead(isos.Both))
        {
            var builder = new BootIsoBuilder(IsoImage.Open(stream));
            builder.EditKernelParameters(new KernelParameterEdit(["ironic.node=n1"], []));
            builder.PutFile("/etc/node.conf", new byte[9000]);
            var delta = builder.Build(implantMd5: true);
            Assert.True(delta.NewLength > delta.BaseLength);
            using var overlay = IsoOverlay.Open(stream, delta);
            overlay.WriteTo(output);
        }
        var r = ExternalTool.Run("checkisomd5", "isomd5sum", ["--verbose", output]);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        Assert.Contains("result is: PASS", r.Output + r.Error, StringComparison.Ordinal);
    }
}
