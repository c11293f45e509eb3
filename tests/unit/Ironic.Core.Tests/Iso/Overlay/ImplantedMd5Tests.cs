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
}
