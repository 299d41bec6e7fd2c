@echo off
rem The installed app is its own command line: "configsync sync --set app --yes" runs ConfigSync.exe
rem with those arguments, without a window, and ends with its exit code.
"%~dp0..\ConfigSync.exe" %*
exit /b %ERRORLEVEL%
