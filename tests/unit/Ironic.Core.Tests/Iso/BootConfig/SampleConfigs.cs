namespace Ironic.Core.Tests.Iso.BootConfig;

/// <summary>Configurations shaped like those of real installer ISOs (written for these tests, not copied).</summary>
internal static class SampleConfigs
{
    /// <summary>Fedora/RHEL style: linuxefi/initrdefi, a submenu, --class options, a comment.</summary>
    public const string FedoraGrub = """
        set default="1"

        function load_video {
          insmod efi_gop
          insmod all_video
        }

        load_video
        set gfxpayload=keep
        insmod part_gpt
        insmod ext2

        set timeout=60
        ### END /etc/grub.d/00_header ###

        search --no-floppy --set=root -l 'Fedora-S-dvd-x86_64-40'

        ### BEGIN /etc/grub.d/10_linux ###
        menuentry 'Install Fedora 40' --class fedora --class gnu-linux --class gnu --class os {
        	linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Fedora-S-dvd-x86_64-40 quiet
        	initrdefi /images/pxeboot/initrd.img
        }
        menuentry 'Test this media & install Fedora 40' --class fedora --class gnu-linux --class gnu --class os {
        	linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Fedora-S-dvd-x86_64-40 rd.live.check quiet
        	initrdefi /images/pxeboot/initrd.img
        }
        submenu 'Troubleshooting -->' {
        	menuentry 'Install Fedora 40 in basic graphics mode' --class fedora --class gnu-linux --class gnu --class os {
        		linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Fedora-S-dvd-x86_64-40 nomodeset quiet
        		initrdefi /images/pxeboot/initrd.img
        	}
        	menuentry 'Rescue a Fedora system' --class fedora --class gnu-linux --class gnu --class os {
        		linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Fedora-S-dvd-x86_64-40 inst.rescue quiet
        		initrdefi /images/pxeboot/initrd.img
        	}
        }
        """;

    /// <summary>Ubuntu live-server style: parameters after "---", a loopback-style variable, linux without efi suffix.</summary>
    public const string UbuntuGrub = """
        set timeout=30

        loadfont unicode

        set menu_color_normal=white/black
        set menu_color_highlight=black/light-gray

        menuentry "Try or Install Ubuntu Server" {
        	set gfxpayload=keep
        	linux	/casper/vmlinuz  ---
        	initrd	/casper/initrd
        }
        menuentry "Ubuntu Server with the HWE kernel" {
        	set gfxpayload=keep
        	linux	/casper/hwe-vmlinuz  quiet splash --- console=tty0
        	initrd	/casper/hwe-initrd
        }
        menuentry "Boot from loopback" {
        	linux	/casper/vmlinuz iso-scan/filename=${iso_path} $kernel_args --- quiet
        	initrd	/casper/initrd
        }
        grub_platform
        if [ "$grub_platform" = "efi" ]; then
        menuentry 'Boot from next volume' {
        	exit 1
        }
        fi
        """;

    /// <summary>Debian installer txt.cfg: append with "--- quiet" and vga=.</summary>
    public const string DebianTxtCfg = """
        default install
        label install
        	menu label ^Install
        	menu default
        	kernel /install.amd/vmlinuz
        	append vga=788 initrd=/install.amd/initrd.gz --- quiet 
        """;

    /// <summary>Debian installer gtk.cfg.</summary>
    public const string DebianGtkCfg = """
        default installgui
        label installgui
        	menu label ^Graphical install
        	menu default
        	kernel /install.amd/vmlinuz
        	append vga=788 initrd=/install.amd/gtk/initrd.gz --- quiet 
        """;

    /// <summary>CentOS-style isolinux.cfg: menu directives, an entry with localboot, a memtest, a check entry.</summary>
    public const string CentosIsolinux = """
        default vesamenu.c32
        timeout 600

        display boot.msg

        menu clear
        menu background splash.png
        menu title CentOS Stream 9
        menu vshift 8

        label linux
          menu label ^Install CentOS Stream 9
          kernel vmlinuz
          append initrd=initrd.img inst.stage2=hd:LABEL=CentOS-Stream-9-BaseOS-x86_64 quiet

        label check
          menu label Test this ^media & install CentOS Stream 9
          menu default
          kernel vmlinuz
          append initrd=initrd.img inst.stage2=hd:LABEL=CentOS-Stream-9-BaseOS-x86_64 rd.live.check quiet

        menu separator # insert an empty line

        label local
          menu label Boot from ^local drive
          localboot 0xffff

        label memtest
          menu label Run a ^memory test
          kernel memtest

        menu end
        """;

    /// <summary>ESXi installer BOOT.CFG, CRLF line endings as VMware ships them.</summary>
    public const string EsxiBootCfgText =
        "bootstate=0\r\n" +
        "title=Loading ESXi installer\r\n" +
        "timeout=5\r\n" +
        "prefix=\r\n" +
        "kernel=/b.b00\r\n" +
        "kernelopt=runweasel cdromBoot\r\n" +
        "modules=/jumpstrt.gz --- /useropts.gz --- /features.gz --- /k.b00 --- /uc_intel.b00\r\n" +
        "build=8.0.2-0.0.22380479\r\n" +
        "updated=0\r\n";

    /// <summary>ESXi isolinux.cfg: mboot.c32 with -c boot.cfg, upper-case keywords.</summary>
    public const string EsxiIsolinux = """
        DEFAULT menu.c32
        MENU TITLE ESXi-8.0U2-22380479-standard Boot Menu
        NOHALT 1
        PROMPT 0
        TIMEOUT 80
        LABEL install
          KERNEL mboot.c32
          APPEND -c boot.cfg
          MENU LABEL ESXi-8.0U2-22380479-^standard Installer
        LABEL hddboot
          LOCALBOOT 0x80
          MENU LABEL ^Boot from local disk
        """;

    /// <summary>A kickstart file with a .cfg name: not a boot configuration.</summary>
    public const string Kickstart = """
        # Generated kickstart
        lang en_US.UTF-8
        keyboard us
        rootpw --lock
        network --bootproto=dhcp
        %packages
        @core
        %end
        """;
}
