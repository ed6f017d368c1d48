#!/bin/bash
# Lay out a fake .NET install and application under ROOT, with real shared
# objects where the runtime has them:
#   ROOT/usr/share/dotnet-sd/dotnet                                  host
#   ROOT/usr/share/dotnet-sd/shared/Microsoft.NETCore.App/8.0.15/    runtime:
#       libcoreclr.so libclrjit.so libmscordaccore.so libmscordbi.so createdump
#       System.Private.CoreLib.dll System.Runtime.dll
#   ROOT/srv/app/App.dll App.pdb Lib.dll                             application
# Usage: build-dotnet.sh ROOT   (ROOT may be / to install for real in a scratch prefix)
set -euo pipefail
root=$1
src=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
dn="$root/usr/share/dotnet-sd"
rt="$dn/shared/Microsoft.NETCore.App/8.0.15"
app="$root/srv/app"
mkdir -p "$rt" "$app"
flags=(-g -O0 "-Wl,--build-id")
"$cc" "${flags[@]}" -o "$dn/dotnet" "$src/dotnet-host.c" -ldl
"$cc" "${flags[@]}" -fPIC -shared -o "$rt/libcoreclr.so" "$src/coreclr.c" -ldl
"$cc" "${flags[@]}" -fPIC -shared -o "$rt/libclrjit.so" "$src/clrjit.c"
# Distinct -D values give the stand-ins distinct build-ids, as the real files have.
"$cc" "${flags[@]}" -DDAC -fPIC -shared -o "$rt/libmscordaccore.so" "$src/clrjit.c"
"$cc" "${flags[@]}" -DDBI -fPIC -shared -o "$rt/libmscordbi.so" "$src/clrjit.c"
"$cc" "${flags[@]}" -DCREATEDUMP -o "$rt/createdump" "$src/clrjit.c" -nostartfiles -e getJit
# Managed assemblies: PE files start with "MZ"; their contents do not matter here.
for f in "$rt/System.Private.CoreLib.dll" "$rt/System.Runtime.dll" "$app/App.dll" "$app/Lib.dll"; do
	{ printf 'MZ\220\0'; head -c 20000 /dev/urandom; } >"$f"
done
printf 'Microsoft C/C++ MSF 7.00\r\n' >"$app/App.pdb"
