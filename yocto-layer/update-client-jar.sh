#!/bin/sh
# Copies the client jar built by `mvn package` into the layer, where the
# securecmd-client recipe fetches it (file://securecmd-client.jar).
# The jar is build output, so git ignores it: run this before every bitbake
# build of a new client version.
#
#   yocto-layer/update-client-jar.sh [JAR]    (default: client/target/securecmd-client.jar)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-$here/../client/target/securecmd-client.jar}
dest=$here/meta-securecmd/recipes-securecmd/securecmd-client/files

if [ ! -f "$jar" ]; then
    echo "update-client-jar.sh: $jar not found: run 'mvn package' at the repository root first" >&2
    exit 1
fi
# A jar is a zip file: refuse anything else rather than ship it to devices.
if [ "$(head -c 4 "$jar" | od -An -tx1 | tr -d ' \n')" != "504b0304" ]; then
    echo "update-client-jar.sh: $jar is not a jar (zip) file" >&2
    exit 1
fi
install -m 0644 "$jar" "$dest/securecmd-client.jar"
echo "copied $jar -> $dest/securecmd-client.jar"
