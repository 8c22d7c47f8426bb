#!/bin/sh
# Copies the client jar built by `mvn package` into the layer, where the
# securecmd-client recipe fetches it (file://securecmd-client.jar), and writes
# files/securecmd-client-jar.inc next to it with what the recipe takes from
# the jar: its version (PV) and its sha256 (checked in do_install).
# Both are build output, so git ignores them: run this before every bitbake
# build of a new client. Until it has run, the recipe skips itself.
#
#   yocto-layer/update-client-jar.sh [JAR]    (default: client/target/securecmd-client.jar)
#
# The version is the jar's Implementation-Version. A snapshot (X-SNAPSHOT)
# becomes X~snapshot.N+gCOMMIT, N and COMMIT from the git checkout the jar was
# built in (N = commits on HEAD, so later builds sort higher; "~" sorts before
# the release X in opkg, dpkg and rpm). Set SECURECMD_SNAPSHOT_ID=N+gCOMMIT to
# give them yourself, e.g. for a jar built elsewhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-$here/../client/target/securecmd-client.jar}
dest=$here/meta-securecmd/recipes-securecmd/securecmd-client/files

fail() { echo "update-client-jar.sh: $*" >&2; exit 1; }

[ -f "$jar" ] || fail "$jar not found: run 'mvn -B package' at the repository root first"
# A jar is a zip file: refuse anything else rather than ship it to devices.
[ "$(head -c 4 "$jar" | od -An -tx1 | tr -d ' \n')" = "504b0304" ] || fail "$jar is not a jar (zip) file"

version=$(python3 - "$jar" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    try:
        manifest = z.read("META-INF/MANIFEST.MF").decode("utf-8")
    except KeyError:
        sys.exit(0)
for line in manifest.replace("\r\n", "\n").replace("\n ", "").split("\n"):
    if line.startswith("Implementation-Version:"):
        print(line.split(":", 1)[1].strip())
PY
) || fail "$jar: cannot read its manifest"
[ -n "$version" ] || fail "$jar has no Implementation-Version in its manifest: is it the securecmd client jar?"
echo "$version" | grep -Eq '^[0-9][0-9A-Za-z.+-]*$' || fail "$jar: version '$version' is not usable as a package version"
case $version in
*-SNAPSHOT)
    id=${SECURECMD_SNAPSHOT_ID:-}
    if [ -z "$id" ]; then
        src=$(cd "$(dirname "$jar")" && pwd)
        n=$(git -C "$src" rev-list --count HEAD 2>/dev/null) && c=$(git -C "$src" rev-parse --short=12 HEAD) \
            || fail "$jar is a snapshot ($version) outside a git checkout: set SECURECMD_SNAPSHOT_ID=N+gCOMMIT"
        id=$n+g$c
    fi
    echo "$id" | grep -Eq '^[0-9]+\+g[0-9a-f]+$' || fail "SECURECMD_SNAPSHOT_ID=$id: want N+gCOMMIT, e.g. 412+g1a2b3c4d5e6f"
    pv=${version%-SNAPSHOT}~snapshot.$id
    ;;
*)  pv=$version ;;
esac
sha=$(sha256sum "$jar" | cut -d' ' -f1)

install -m 0644 "$jar" "$dest/securecmd-client.jar.tmp"
mv "$dest/securecmd-client.jar.tmp" "$dest/securecmd-client.jar"
cat > "$dest/securecmd-client-jar.inc.tmp" <<INC
# Written by yocto-layer/update-client-jar.sh from $(basename "$jar"); do not edit.
SECURECMD_CLIENT_VERSION = "$pv"
SECURECMD_CLIENT_SHA256 = "$sha"
INC
mv "$dest/securecmd-client-jar.inc.tmp" "$dest/securecmd-client-jar.inc"
echo "copied $jar -> $dest/securecmd-client.jar (version $pv, sha256 $sha)"
