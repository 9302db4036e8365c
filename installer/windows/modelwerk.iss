; Inno Setup script: packs the PyInstaller folder dist\modelwerk into ModelwerkSetup-VERSION.exe.
; Build on Windows after `pyinstaller installer\modelwerk.spec`:  iscc /DVersion=0.1.0 installer\windows\modelwerk.iss
; A per-user install (no administrator needed): Start-menu entry, optional desktop icon, .gguf opens with Modelwerk,
; an uninstaller in "Apps & features". The user's models and data (%LOCALAPPDATA%\Modelwerk) are kept on uninstall.
#ifndef Version
  #define Version "0.1.0"
#endif
; /DVariant=vulkan names the GPU build's installer ModelwerkSetup-VERSION-vulkan.exe; cpu (the default) has no suffix.
#ifndef Variant
  #define Variant "cpu"
#endif
#if Variant == "cpu"
  #define Suffix ""
#else
  #define Suffix "-" + Variant
#endif

[Setup]
AppId={{6F1B7E52-4C1D-4E0B-9B1E-5D7A3C2F9A10}
AppName=Modelwerk
AppVersion={#Version}
AppPublisher=Modelwerk
AppPublisherURL=https://github.com/modelwerk/modelwerk
DefaultDirName={autopf}\Modelwerk
DefaultGroupName=Modelwerk
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=ModelwerkSetup-{#Version}{#Suffix}
SetupIconFile=..\..\resources\icons\modelwerk.ico
UninstallDisplayIcon={app}\modelwerk.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile=..\..\LICENSE
; The German messages hold umlauts: this file is UTF-8 with a byte order mark, which Inno Setup reads as UTF-8.
; Offer the language picker only when the system's language is not one of ours (else it is taken without asking).
ShowLanguageDialog=auto

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "de"; MessagesFile: "compiler:Languages\German.isl"

[CustomMessages]
en.GgufAssoc=Open .gguf models with Modelwerk
de.GgufAssoc=.gguf-Modelle mit Modelwerk öffnen
en.FileTypes=File types:
de.FileTypes=Dateitypen:
en.GgufType=GGUF language model
de.GgufType=GGUF-Sprachmodell
en.UninstallModelwerk=Uninstall Modelwerk
de.UninstallModelwerk=Modelwerk deinstallieren

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "ggufassoc"; Description: "{cm:GgufAssoc}"; GroupDescription: "{cm:FileTypes}"

[Files]
Source: "..\..\dist\modelwerk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Modelwerk"; Filename: "{app}\modelwerk.exe"
Name: "{group}\{cm:UninstallModelwerk}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Modelwerk"; Filename: "{app}\modelwerk.exe"; Tasks: desktopicon

[Registry]
; .gguf -> Modelwerk.GGUF -> "modelwerk.exe" "%1" (HKCU under a per-user install, HKLM for all users)
Root: HKA; Subkey: "Software\Classes\.gguf"; ValueType: string; ValueName: ""; ValueData: "Modelwerk.GGUF"; Flags: uninsdeletevalue; Tasks: ggufassoc
Root: HKA; Subkey: "Software\Classes\.gguf\OpenWithProgids"; ValueType: string; ValueName: "Modelwerk.GGUF"; ValueData: ""; Flags: uninsdeletevalue; Tasks: ggufassoc
Root: HKA; Subkey: "Software\Classes\Modelwerk.GGUF"; ValueType: string; ValueName: ""; ValueData: "{cm:GgufType}"; Flags: uninsdeletekey; Tasks: ggufassoc
Root: HKA; Subkey: "Software\Classes\Modelwerk.GGUF\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\modelwerk.exe,0"; Tasks: ggufassoc
Root: HKA; Subkey: "Software\Classes\Modelwerk.GGUF\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\modelwerk.exe"" ""%1"""; Tasks: ggufassoc

[Run]
Filename: "{app}\modelwerk.exe"; Description: "{cm:LaunchProgram,Modelwerk}"; Flags: nowait postinstall skipifsilent
