namespace Ironic.Core.Iso.BootConfig;

/// <summary>The boot-loader configuration languages we edit.</summary>
public enum BootConfigKind
{
    /// <summary>GRUB2 script: grub.cfg, loopback.cfg (menuentry, submenu, linux/linuxefi/linux16).</summary>
    Grub,

    /// <summary>ISOLINUX/SYSLINUX: isolinux.cfg, txt.cfg, syslinux.cfg (label, kernel, append).</summary>
    Isolinux,

    /// <summary>VMware ESXi boot.cfg (kernel=, kernelopt=, modules=).</summary>
    EsxiBootCfg,
}
