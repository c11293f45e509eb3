using System.Text;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>What the real tools see in an image: El Torito entries, files by each tree, extracted content.</summary>
internal static class IsoChecks
{
    /// <summary>The El Torito lines of <c>xorriso -report_el_torito plain</c> (entries, platforms, paths).</summary>
    public static List<string> ElToritoReport(string iso) =>
        ExternalTool.RunChecked("xorriso", "xorriso", "-indev", iso, "-report_el_torito", "plain").Output
            .Split('\n').Where(l => l.StartsWith("El Torito", StringComparison.Ordinal)).ToList();

    /// <summary>A file as isoinfo reads it through Rock Ridge (-R), Joliet (-J) or plain ISO 9660 names.</summary>
    public static byte[] IsoInfoRead(string iso, string mode, string path)
    {
        var args = mode.Length > 0 ? new[] { "-i", iso, mode, "-x", path } : ["-i", iso, "-x", path];
        var info = new System.Diagnostics.ProcessStartInfo(Which("isoinfo", "genisoimage")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(info)!;
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        return ms.ToArray();
    }

    /// <summary>Reads a file with pycdlib by Rock Ridge, Joliet and ISO 9660 path; returns the three contents.</summary>
    public static (string RockRidge, string Joliet, string Iso9660) PycdlibRead(string iso, string rrPath, string jolietPath, string isoPath)
    {
        const string script = """
import sys, io, pycdlib
iso = pycdlib.PyCdlib(); iso.open(sys.argv[1])
for kw, p in (("rr_path", sys.argv[2]), ("joliet_path", sys.argv[3]), ("iso_path", sys.argv[4])):
    b = io.BytesIO(); iso.get_file_from_iso_fp(b, **{kw: p})
    sys.stdout.write(b.getvalue().hex() + "\n")
iso.close()
""";
        var r = ExternalTool.Run("/usr/bin/python3", "python3-pycdlib", ["-c", script, iso, rrPath, jolietPath, isoPath]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"pycdlib could not read {iso}: {r.Error} (install python3-pycdlib)");
        var lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (Hex(lines[0]), Hex(lines[1]), Hex(lines[2]));
        static string Hex(string h) => Encoding.UTF8.GetString(Convert.FromHexString(h));
    }

    /// <summary>Reads a file with pycdlib through the UDF tree of a bridge image.</summary>
    public static byte[] PycdlibReadUdf(string iso, string udfPath) => PycdlibRead(iso, "udf_path", udfPath);

    /// <summary>Reads a file with pycdlib by one kind of path: iso_path (with ";1"), joliet_path, rr_path or udf_path.</summary>
    public static byte[] PycdlibRead(string iso, string kind, string path)
    {
        const string script = """
import sys, io, pycdlib
iso = pycdlib.PyCdlib(); iso.open(sys.argv[1])
b = io.BytesIO(); iso.get_file_from_iso_fp(b, **{sys.argv[2]: sys.argv[3]})
sys.stdout.write(b.getvalue().hex())
iso.close()
""";
        var r = ExternalTool.Run("/usr/bin/python3", "python3-pycdlib", ["-c", script, iso, kind, path]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"pycdlib could not read {path} ({kind}) from {iso}: {r.Error} (install python3-pycdlib)");
        return Convert.FromHexString(r.Output.Trim());
    }

    /// <summary>Every path of the plain ISO 9660 tree as isoinfo lists it (upper case, with ";1" versions).</summary>
    public static List<string> IsoInfoPlainPaths(string iso) =>
        ExternalTool.RunChecked("isoinfo", "genisoimage", "-i", iso, "-f").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>Reads a file through 7-Zip's UDF handler (-tudf), which ignores the ISO 9660 trees.</summary>
    public static byte[] SevenZipReadUdf(string iso, string path)
    {
        var dir = TestIsos.ScratchDirectory();
        ExternalTool.RunChecked("7z", "p7zip-full", "x", "-tudf", "-y", "-o" + dir, iso, path.TrimStart('/'));
        return File.ReadAllBytes(Path.Combine(dir, path.TrimStart('/')));
    }

    /// <summary>Extracts the whole UDF tree with 7-Zip (-tudf) and returns path → content hash.</summary>
    public static Dictionary<string, string> ExtractAllUdf(string iso, string into)
    {
        ExternalTool.RunChecked("7z", "p7zip-full", "x", "-tudf", "-y", "-o" + into, iso);
        return Hashes(into);
    }

    /// <summary>Extracts the whole tree with osirrox and returns path → content hash.</summary>
    public static Dictionary<string, string> ExtractAll(string iso, string into)
    {
        ExternalTool.RunChecked("osirrox", "xorriso", "-indev", iso, "-extract", "/", into);
        return Hashes(into);
    }

    private static Dictionary<string, string> Hashes(string into)
    {
        return Directory.EnumerateFiles(into, "*", SearchOption.AllDirectories).ToDictionary(
            f => "/" + Path.GetRelativePath(into, f).Replace('\\', '/'),
            f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
    }

    /// <summary>Reads a file inside a FAT image with mtools.</summary>
    public static string MType(string fatImage, string path) =>
        ExternalTool.RunChecked("mtype", "mtools", "-i", fatImage, "::" + path).Output;

    /// <summary>xorriso's report of the MBR and GPT (sizes, LBA ranges, partitions).</summary>
    public static List<string> SystemAreaReport(string iso) =>
        ExternalTool.RunChecked("xorriso", "xorriso", "-indev", iso, "-report_system_area", "plain").Output
            .Split('\n').Where(l => l.StartsWith("GPT", StringComparison.Ordinal) || l.StartsWith("MBR", StringComparison.Ordinal) || l.StartsWith("ISO image size", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Checks both GPT headers and entry arrays with Python's zlib.crc32 (an implementation
    /// independent of ours); returns "ok" or what is wrong.
    /// </summary>
    public static string GptCrcCheck(string iso)
    {
        const string script = """
import sys, struct, zlib
f = open(sys.argv[1], "rb"); data = f.read(); size = len(data)
def check(lba, name):
    h = bytearray(data[lba*512:lba*512+512])
    if h[:8] != b"EFI PART": return name + " header missing at LBA %d" % lba
    hs, crc = struct.unpack_from("<II", h, 12)
    cur, alt, first, last = struct.unpack_from("<QQQQ", h, 24)
    ent, n, esz, ecrc = struct.unpack_from("<QIII", h, 72)
    h[16:20] = b"\0\0\0\0"
    if zlib.crc32(bytes(h[:hs])) != crc: return name + " header CRC wrong"
    if zlib.crc32(data[ent*512:ent*512+n*esz]) != ecrc: return name + " entries CRC wrong"
    if cur != lba: return name + " header says it is at %d" % cur
    return None
p = check(1, "primary")
if p: print(p); sys.exit(0)
alt = struct.unpack_from("<Q", data, 512+32)[0]
if alt != size // 512 - 1: print("backup LBA %d is not the last LBA %d" % (alt, size // 512 - 1)); sys.exit(0)
print(check(alt, "backup") or "ok")
""";
        var r = ExternalTool.Run("/usr/bin/python3", "python3", ["-c", script, iso]);
        return (r.Output + r.Error).Trim();
    }

    private static string Which(string tool, string package)
    {
        foreach (var dir in new[] { "/usr/bin", "/usr/local/bin", "/bin" })
        {
            if (File.Exists(Path.Combine(dir, tool))) return Path.Combine(dir, tool);
        }
        throw new InvalidOperationException($"'{tool}' is not installed: install the Debian package {package}.");
    }
}
