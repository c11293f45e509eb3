using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ironic.Core.Iso;

/// <summary>
/// Copies a whole file the way cp does on Linux: sequential read-ahead advice, then
/// copy_file_range in the kernel (no user-space buffers; reflinks where the file system has them).
/// Elsewhere, or when the kernel refuses, falls back to <see cref="File.Copy(string, string, bool)"/>.
/// </summary>
internal static partial class FileCopy
{
    public static void Copy(string source, string destination)
    {
        if (OperatingSystem.IsLinux() && TryCopyFileRange(source, destination)) return;
        File.Copy(source, destination, overwrite: true);
    }

    private static bool TryCopyFileRange(string source, string destination)
    {
        try
        {
            using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var output = File.OpenHandle(destination, FileMode.Create, FileAccess.Write, FileShare.None);
            var length = RandomAccess.GetLength(input);
            _ = NativeMethods.posix_fadvise(input, 0, 0, 2); // POSIX_FADV_SEQUENTIAL
            long done = 0;
            while (done < length)
            {
                var n = NativeMethods.copy_file_range(input, IntPtr.Zero, output, IntPtr.Zero, (nuint)(length - done), 0);
                if (n <= 0) return n == 0 && done == length;
                done += n;
            }
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern nint copy_file_range(SafeFileHandle fdIn, IntPtr offIn, SafeFileHandle fdOut, IntPtr offOut, nuint length, uint flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int posix_fadvise(SafeFileHandle fd, long offset, long length, int advice);
    }
}
