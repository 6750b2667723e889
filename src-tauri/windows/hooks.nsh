; Installer hooks for the NSIS installer (tauri.conf.json > bundle > windows > nsis >
; installerHooks). Tauri's uninstaller offers a "delete app data" checkbox, which removes
; %APPDATA%\com.aftersales.desk: the desk's whole archive (desk.db) and its backups/.
; A clerk ticking it by mistake must not lose years of customers, so ask once more, with
; "No" as the default; silent uninstalls (/S) never delete the data.

!macro NSIS_HOOK_PREUNINSTALL
  ${If} $DeleteAppDataCheckboxState = 1
  ${AndIf} $UpdateMode <> 1
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "将永久删除数据文件夹 $APPDATA\${BUNDLEID}：全部客户档案、工单和备份。$\r$\n$\r$\n换电脑请先复制这个文件夹。确定要删除吗？" /SD IDNO IDYES aftersales_delete_data
    StrCpy $DeleteAppDataCheckboxState 0
    aftersales_delete_data:
  ${EndIf}
!macroend
