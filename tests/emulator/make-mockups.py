#!/usr/bin/env python3
# Regenerates the built-in mockups: python3 tests/emulator/make-mockups.py tests/emulator/Ironic.BmcEmulator/Mockups
# (edit the profile table below, run, commit the JSON). Hand edits to the JSON are fine too.
import json, os, sys
out = sys.argv[1]
def link(p): return {"@odata.id": p}
def write(profile, path, obj):
    rel = path[len("/redfish/v1"):].strip("/")
    d = os.path.join(out, profile, rel) if rel else os.path.join(out, profile)
    os.makedirs(d, exist_ok=True)
    obj = dict(obj); obj["@odata.id"] = path
    with open(os.path.join(d, "index.json"), "w") as f: json.dump(obj, f, indent=2); f.write("\n")

P = {
 "generic": dict(vendor="Emulated", product="Generic Redfish BMC", sys="1", mgr="1", under="system", fw="1.0.0",
   slots=[("Cd", ["CD","DVD"], True), ("Usb", ["USBStick"], True)],
   boot=["None","Pxe","Cd","Usb","Hdd","BiosSetup","UefiTarget","UefiHttp"],
   reset=["On","ForceOff","GracefulShutdown","GracefulRestart","ForceRestart","PowerCycle","Nmi"],
   maker="Emulated", model="Generic 1U"),
 "idrac": dict(vendor="Dell", product="Integrated Dell Remote Access Controller", sys="System.Embedded.1", mgr="iDRAC.Embedded.1", under="manager", fw="6.10.30.00",
   slots=[("RemovableDisk", ["USBStick"], True), ("CD", ["CD","DVD"], True)],
   boot=["None","Pxe","Floppy","Cd","Hdd","BiosSetup","Utilities","UefiTarget","SDCard","UefiHttp"],
   reset=["On","ForceOff","ForceRestart","GracefulRestart","GracefulShutdown","PushPowerButton","Nmi","PowerCycle"],
   maker="Dell Inc.", model="PowerEdge R650"),
 "ilo": dict(vendor="HPE", product="ProLiant DL360 Gen10", sys="1", mgr="1", under="manager", fw="iLO 5 v2.72",
   slots=[("1", ["Floppy","USBStick"], True), ("2", ["CD","DVD"], True)],
   boot=["None","Cd","Hdd","Usb","SDCard","Utilities","Diags","BiosSetup","Pxe","UefiShell","UefiHttp","UefiTarget"],
   reset=["On","ForceOff","GracefulShutdown","ForceRestart","Nmi","PushPowerButton","GracefulRestart"],
   maker="HPE", model="ProLiant DL360 Gen10"),
 "xcc": dict(vendor="Lenovo", product="XClarity Controller", sys="1", mgr="1", under="manager", fw="CDI3A4A",
   slots=[("EXT1", ["CD","DVD"], True), ("EXT2", ["CD","DVD"], True)],
   boot=["None","Pxe","Cd","Usb","Hdd","BiosSetup","Diags","UefiTarget"],
   reset=["On","Nmi","GracefulShutdown","GracefulRestart","ForceOn","ForceOff","ForceRestart"],
   maker="Lenovo", model="ThinkSystem SR650"),
 "supermicro": dict(vendor="Supermicro", product="Supermicro Redfish Service", sys="1", mgr="1", under="manager", fw="01.01.05",
   slots=[("CD1", ["CD","DVD"], True), ("USB1", ["USBStick"], True)],
   boot=["None","Pxe","Hdd","Diags","BiosSetup","UsbCd","UsbHdd","UefiCd","UefiHdd","UefiUsbCd","UefiHttp"],
   reset=["On","ForceOff","GracefulShutdown","GracefulRestart","ForceRestart","Nmi","ForceOn"],
   maker="Supermicro", model="SYS-1029U-TN10RT"),
 "openbmc": dict(vendor="OpenBMC", product="bmcweb", sys="system", mgr="bmc", under="manager", fw="2.14.0-dev",
   slots=[("Slot_0", ["CD","USBStick"], False), ("Slot_1", ["CD","USBStick"], True)],
   boot=["None","Pxe","Hdd","Cd","Diags","BiosSetup","Usb"],
   reset=["On","ForceOff","ForceOn","ForceRestart","GracefulRestart","GracefulShutdown","PowerCycle","Nmi"],
   maker="OpenBMC", model="Romulus"),
}
for name, p in P.items():
    root = "/redfish/v1"; sp = f"{root}/Systems/{p['sys']}"; mp = f"{root}/Managers/{p['mgr']}"
    vparent = sp if p["under"] == "system" else mp
    vcol = f"{vparent}/VirtualMedia"
    write(name, root, {"@odata.type": "#ServiceRoot.v1_11_0.ServiceRoot", "Id": "RootService", "Name": "Root Service",
        "RedfishVersion": "1.15.0", "UUID": "92384634-2938-2342-8820-489239905423", "Vendor": p["vendor"], "Product": p["product"],
        "Systems": link(f"{root}/Systems"), "Managers": link(f"{root}/Managers"), "Chassis": link(f"{root}/Chassis"),
        "SessionService": link(f"{root}/SessionService"), "TaskService": link(f"{root}/TaskService"),
        "Links": {"Sessions": link(f"{root}/SessionService/Sessions")}})
    write(name, f"{root}/Systems", {"@odata.type": "#ComputerSystemCollection.ComputerSystemCollection", "Name": "Computer System Collection",
        "Members": [link(sp)], "Members@odata.count": 1})
    system = {"@odata.type": "#ComputerSystem.v1_13_0.ComputerSystem", "Id": p["sys"], "Name": "System", "SystemType": "Physical",
        "Manufacturer": p["maker"], "Model": p["model"], "SerialNumber": "EMU0000001", "UUID": "4c4c4544-0036-3010-8033-b4c04f4e3032",
        "PowerState": "Off", "Status": {"State": "Enabled", "Health": "OK"},
        "Boot": {"BootSourceOverrideEnabled": "Disabled", "BootSourceOverrideTarget": "None", "BootSourceOverrideMode": "UEFI",
                 "BootSourceOverrideTarget@Redfish.AllowableValues": p["boot"],
                 "BootSourceOverrideMode@Redfish.AllowableValues": ["Legacy", "UEFI"]},
        "Links": {"ManagedBy": [link(mp)], "Chassis": [link(f"{root}/Chassis/1")]},
        "Actions": {"#ComputerSystem.Reset": {"target": f"{sp}/Actions/ComputerSystem.Reset", "ResetType@Redfish.AllowableValues": p["reset"]}}}
    if p["under"] == "system": system["VirtualMedia"] = link(vcol)
    write(name, sp, system)
    write(name, f"{root}/Managers", {"@odata.type": "#ManagerCollection.ManagerCollection", "Name": "Manager Collection",
        "Members": [link(mp)], "Members@odata.count": 1})
    mgr = {"@odata.type": "#Manager.v1_10_0.Manager", "Id": p["mgr"], "Name": "Manager", "ManagerType": "BMC", "FirmwareVersion": p["fw"],
        "Status": {"State": "Enabled", "Health": "OK"}, "Links": {"ManagerForServers": [link(sp)]},
        "Actions": {"#Manager.Reset": {"target": f"{mp}/Actions/Manager.Reset", "ResetType@Redfish.AllowableValues": ["GracefulRestart"]}}}
    if p["under"] == "manager": mgr["VirtualMedia"] = link(vcol)
    write(name, mp, mgr)
    write(name, f"{root}/Chassis", {"@odata.type": "#ChassisCollection.ChassisCollection", "Name": "Chassis Collection",
        "Members": [link(f"{root}/Chassis/1")], "Members@odata.count": 1})
    write(name, f"{root}/Chassis/1", {"@odata.type": "#Chassis.v1_14_0.Chassis", "Id": "1", "Name": "Chassis", "ChassisType": "RackMount",
        "Links": {"ComputerSystems": [link(sp)], "ManagedBy": [link(mp)]}})
    write(name, vcol, {"@odata.type": "#VirtualMediaCollection.VirtualMediaCollection", "Name": "Virtual Media Services",
        "Members": [link(f"{vcol}/{s[0]}") for s in p["slots"]], "Members@odata.count": len(p["slots"])})
    for sid, types, actions in p["slots"]:
        path = f"{vcol}/{sid}"
        slot = {"@odata.type": "#VirtualMedia.v1_3_0.VirtualMedia", "Id": sid, "Name": "Virtual Removable Media" if "CD" not in types else "Virtual CD",
            "MediaTypes": types, "Image": None, "ImageName": None, "Inserted": False, "WriteProtected": True,
            "ConnectedVia": "NotConnected", "TransferMethod": "Stream", "TransferProtocolType": None,
            "Status": {"State": "Enabled", "Health": "OK"}}
        if name == "openbmc" and not actions:
            slot["TransferProtocolType"] = "OEM"; slot["Oem"] = {"OpenBMC": {"WebSocketEndpoint": "/nbd/0"}}
        if actions:
            ins = {"target": f"{path}/Actions/VirtualMedia.InsertMedia"}
            if name == "supermicro": ins["TransferProtocolType@Redfish.AllowableValues"] = ["CIFS", "HTTP", "HTTPS"]
            slot["Actions"] = {"#VirtualMedia.InsertMedia": ins, "#VirtualMedia.EjectMedia": {"target": f"{path}/Actions/VirtualMedia.EjectMedia"}}
        write(name, path, slot)
    write(name, f"{root}/SessionService", {"@odata.type": "#SessionService.v1_1_8.SessionService", "Id": "SessionService", "Name": "Session Service",
        "ServiceEnabled": True, "SessionTimeout": 1800, "Sessions": link(f"{root}/SessionService/Sessions")})
    write(name, f"{root}/SessionService/Sessions", {"@odata.type": "#SessionCollection.SessionCollection", "Name": "Session Collection",
        "Members": [], "Members@odata.count": 0})
    write(name, f"{root}/TaskService", {"@odata.type": "#TaskService.v1_2_0.TaskService", "Id": "TaskService", "Name": "Task Service",
        "ServiceEnabled": True, "Tasks": link(f"{root}/TaskService/Tasks")})
    write(name, f"{root}/TaskService/Tasks", {"@odata.type": "#TaskCollection.TaskCollection", "Name": "Task Collection",
        "Members": [], "Members@odata.count": 0})
