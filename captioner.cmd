@echo off
rem Launcher for captioner on Windows: builds the self-contained CLI jar
rem (target\captioner-VERSION-cli-win-x86_64.jar) when it is missing, then runs it.
setlocal
set "ROOT=%~dp0"
set "JAR="
for %%f in ("%ROOT%target\captioner-*-cli-*.jar") do set "JAR=%%~ff"
if not defined JAR (
  echo captioner: building the CLI jar ^(mvn -B -q -DskipTests package^) ... 1>&2
  pushd "%ROOT%"
  call mvn -B -q -DskipTests package 1>&2 || (popd & exit /b 1)
  popd
  for %%f in ("%ROOT%target\captioner-*-cli-*.jar") do set "JAR=%%~ff"
)
java %CAPTIONER_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
