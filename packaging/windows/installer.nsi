; 售后服务台's Windows installer (issue 18): our own NSIS script, compiled on Debian by
; `cargo xtask dist` with Debian's makensis 3.08 (Tauri's bundler needs a download this
; machine cannot make; docs/WINDOWS.md). `cargo xtask test` compiles the same script
; around debug programs, installs it silently under Wine, uses and removes it.
;
; Defined by the xtask on makensis' command line (-D…):
;   VERSION      the product version, e.g. 0.1.0 (tauri.conf.json)
;   PAYLOAD_NSH  a file the xtask writes from the portable folder: the macros
;                PAYLOAD_INSTALL (File lines) and PAYLOAD_UNINSTALL (the same files and
;                folders removed by name, never the install folder wholesale)
;   OUTFILE      the installer to write
;   ICON         src-tauri/icons/icon.ico
;   FAST         (optional) no compression: the test's build of the installer, made at
;                every `cargo xtask test` around debug programs (seconds instead of minutes)
;
; Per user, no administrator rights: into %LOCALAPPDATA%\售后服务台, shortcuts and the
; uninstall entry under the user's own profile and HKCU. The data folder
; (%APPDATA%\com.aftersales.desk) is never the installer's: the uninstaller deletes it only
; when the clerk ticks an unticked box and then says Yes to a second question naming it;
; a silent uninstall never deletes it.

Unicode true
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
!ifdef FAST
  SetCompress off
!else
  ; Solid, with a dictionary larger than one program: both programs carry the same
  ; embedded fonts, which the second time cost almost nothing.
  SetCompressor /SOLID lzma
  SetCompressorDictSize 64
!endif

!ifndef VERSION | PAYLOAD_NSH | OUTFILE | ICON
  !error "VERSION, PAYLOAD_NSH, OUTFILE and ICON must be defined (cargo xtask dist does it)"
!endif

!define PRODUCT "售后服务台"
; The desk's identifier (tauri.conf.json): the uninstall entry's key and the data folder.
!define IDENT "com.aftersales.desk"
!define PUBLISHER "售后服务台项目组"
!define DESKTOP_EXE "aftersales-desktop.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENT}"
; The Evergreen WebView2 Runtime's client GUID (Microsoft, "Distribute your app and the
; WebView2 Runtime": detect the runtime by the `pv` value under EdgeUpdate\Clients).
!define WEBVIEW2_KEY "Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_PAGE "https://developer.microsoft.com/zh-cn/microsoft-edge/webview2/"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "${PAYLOAD_NSH}"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\${PRODUCT}"
BrandingText "${PRODUCT} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${DESKTOP_EXE}"
!define MUI_PAGE_CUSTOMFUNCTION_PRE FinishPre
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

; Chinese first: it is the default when Windows' own language is neither of the two.
; No language dialog: the installer speaks the language of the Windows it runs on.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString SecProgram ${LANG_SIMPCHINESE} "售后服务台（程序）"
LangString SecProgram ${LANG_ENGLISH} "After-Sales Desk (programs)"
LangString SecDesktop ${LANG_SIMPCHINESE} "桌面快捷方式"
LangString SecDesktop ${LANG_ENGLISH} "Desktop shortcut"
LangString SecData ${LANG_SIMPCHINESE} "同时删除全部数据（客户档案、工单、备份）"
LangString SecData ${LANG_ENGLISH} "Also delete all data (customers, work orders, backups)"
LangString ConfirmData ${LANG_SIMPCHINESE} "将永久删除数据文件夹：$\r$\n$APPDATA\${IDENT}$\r$\n$\r$\n里面是全部客户档案、工单和备份，删除后无法恢复。换电脑请先复制这个文件夹。$\r$\n$\r$\n确定要删除吗？"
LangString ConfirmData ${LANG_ENGLISH} "This permanently deletes the data folder:$\r$\n$APPDATA\${IDENT}$\r$\n$\r$\nIt holds every customer, work order and backup; they cannot be recovered. To move to another PC, copy this folder first.$\r$\n$\r$\nDelete it?"
LangString DataKept ${LANG_SIMPCHINESE} "数据文件夹已保留：$APPDATA\${IDENT}"
LangString DataKept ${LANG_ENGLISH} "The data folder is kept: $APPDATA\${IDENT}"
LangString NoWebView2 ${LANG_SIMPCHINESE} "这台电脑还没有安装 Microsoft Edge WebView2 运行时，没有它售后服务台的窗口无法打开。$\r$\n$\r$\n请从微软网站下载“常青版独立安装程序 x64”（Evergreen Standalone Installer）并安装，不需要管理员权限：$\r$\n${WEBVIEW2_PAGE}$\r$\n没有网络的电脑：在别的电脑上下载后用U盘拷过来安装。也可以请电脑管理员安装。$\r$\n$\r$\n现在打开下载页面吗？"
LangString NoWebView2 ${LANG_ENGLISH} "Microsoft Edge WebView2 Runtime is not installed on this PC; the desk's window cannot open without it.$\r$\n$\r$\nDownload the Evergreen Standalone Installer (x64) from Microsoft and run it (no administrator rights needed):$\r$\n${WEBVIEW2_PAGE}$\r$\nOffline PCs: download it on another PC and bring it on a USB stick, or ask your IT administrator.$\r$\n$\r$\nOpen the download page now?"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${PRODUCT} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "Apache-2.0"

Section "!$(SecProgram)" SecProgram
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  !insertmacro PAYLOAD_INSTALL
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${DESKTOP_EXE}" "" "$INSTDIR\${DESKTOP_EXE}" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${DESKTOP_EXE},0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ; What Add/Remove Programs shows as the size: the install folder as installed, in KB.
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "$(SecDesktop)" SecDesktop
  SetShellVarContext current
  CreateShortcut "$DESKTOP\${PRODUCT}.lnk" "$INSTDIR\${DESKTOP_EXE}" "" "$INSTDIR\${DESKTOP_EXE}" 0
SectionEnd

; WebView2: per machine (64-bit Windows keeps it in the 32-bit view, WOW6432Node; 32-bit
; Windows without), then per user. A `pv` that is missing, empty or 0.0.0.0 means absent.
Function HasWebView2
  StrCpy $0 ""
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\${WEBVIEW2_KEY}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKLM "SOFTWARE\${WEBVIEW2_KEY}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\${WEBVIEW2_KEY}" "pv"
  ${EndIf}
  ${If} $0 == "0.0.0.0"
    StrCpy $0 ""
  ${EndIf}
FunctionEnd

; Before the finish page (whose "run" box would start a desk that cannot open): on the
; installer's own thread, after the files. A silent install shows no page, and so nothing.
Function FinishPre
  Call HasWebView2
  ${If} $0 == ""
    MessageBox MB_YESNO|MB_ICONEXCLAMATION "$(NoWebView2)" IDNO done
    ExecShell "open" "${WEBVIEW2_PAGE}"
    done:
  ${EndIf}
FunctionEnd

Section "un.$(SecProgram)" UnSecProgram
  SectionIn RO
  SetShellVarContext current
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  Delete "$DESKTOP\${PRODUCT}.lnk"
  !insertmacro PAYLOAD_UNINSTALL
  Delete "$INSTDIR\uninstall.exe"
  ; Only if empty: a file the clerk put there stays, with its folder.
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd

; Unticked by default, never selected by /S; and even ticked, a second question naming the
; folder, "No" by default and the answer of a silent run.
Section /o "un.$(SecData)" UnSecData
  SetShellVarContext current
  ${IfNot} ${Silent}
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "$(ConfirmData)" /SD IDNO IDYES delete
    DetailPrint "$(DataKept)"
    Goto done
    delete:
    RMDir /r "$APPDATA\${IDENT}"
    done:
  ${EndIf}
SectionEnd
