namespace Ironic.Core.Iso.BootConfig;

/// <summary>
/// One boot entry of a configuration: what a user picks in the menu and what the kernel receives.
/// </summary>
/// <param name="Title">Menu title (GRUB submenus joined with " > "), or the label when there is no menu title.</param>
/// <param name="Kernel">Kernel (or loader, such as ESXi's mboot.c32 or b.b00) path as written.</param>
/// <param name="CommandLine">Kernel arguments, single-spaced, quotes removed; parameters after "---" included.</param>
/// <param name="Initrd">Initial ramdisk path(s) as written (for ESXi the modules= list), or null.</param>
public sealed record BootEntry(string Title, string Kernel, string CommandLine, string? Initrd);
