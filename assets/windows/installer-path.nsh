; Included by electron-builder's NSIS installer (nsis.include in electron-builder.yml).
; Offers to put the "configsync" command (bin\configsync.cmd beside ConfigSync.exe) on the user's PATH;
; a silent install (/S) says yes. The uninstaller takes it off again.
!include "StrFunc.nsh"
${StrStr}
${UnStrRep}

!macro customInstall
  MessageBox MB_YESNO|MB_ICONQUESTION "Add the configsync command to your PATH?$\r$\n$\r$\nThen configsync sync, configsync status and every other command run from any terminal, and schedules can run as a task when no one is logged on." /SD IDYES IDNO configsyncSkipPath
    ReadRegStr $0 HKCU "Environment" "Path"
    ${StrStr} $1 "$0" "$INSTDIR\bin"
    StrCmp $1 "" 0 configsyncSkipPath
    StrCmp $0 "" 0 +3
      WriteRegExpandStr HKCU "Environment" "Path" "$INSTDIR\bin"
      Goto +2
      WriteRegExpandStr HKCU "Environment" "Path" "$0;$INSTDIR\bin"
    SendMessage ${HWND_BROADCAST} ${WM_WININICHANGE} 0 "STR:Environment" /TIMEOUT=5000
  configsyncSkipPath:
!macroend

!macro customUnInstall
  ReadRegStr $0 HKCU "Environment" "Path"
  ${UnStrRep} $1 "$0" ";$INSTDIR\bin" ""
  ${UnStrRep} $1 "$1" "$INSTDIR\bin" ""
  StrCmp $1 $0 +3
    WriteRegExpandStr HKCU "Environment" "Path" "$1"
    SendMessage ${HWND_BROADCAST} ${WM_WININICHANGE} 0 "STR:Environment" /TIMEOUT=5000
!macroend
