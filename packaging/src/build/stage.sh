#!/usr/bin/env bash
# Stages everything the .deb carries under target/stage (jdeb packs that tree):
# the jlink runtime, the application jars, the launchers and the docs.
# Run by Maven (exec-maven-plugin) in the package phase:
#
#   stage.sh JAVA_HOME DAEMON_TARGET VERSION STAGE_DIR
#
# JAVA_HOME is the JDK that runs Maven: the runtime must come from the same JDK
# build as the one that compiled the code and makes the AOT cache.
set -euo pipefail

java_home=$1 daemon_target=$2 version=$3 stage=$4
here=$(cd "$(dirname "$0")" && pwd)
deb_src=$here/../deb
base=$stage/usr/lib/securecmd

# Modules jdeps cannot see, because nothing references them by class name:
EXTRA_MODULES=(
  jdk.crypto.cryptoki   # SunPKCS11 provider, found through java.security at run time (keys in PKCS#11 tokens)
  jdk.net               # SO_PEERCRED on the admin socket (jdeps sees it today; keep it even if the call moves behind reflection)
  jdk.unsupported       # sun.misc.Signal for SIGHUP/SIGTERM (same: explicit on purpose)
  java.naming           # logback resolves JNDI names in configuration files by reflection
  java.sql              # JDBC for [state] backend = "postgresql" (pgjdbc itself is left out of the scan, below)
  jdk.httpserver        # the [metrics] Prometheus endpoint (jdeps sees it today; explicit like jdk.net)
)

# Jars jdeps does not scan: pgjdbc references java.desktop (java.awt.Point in PGpoint), java.management
# (heap-size hints) and java.security.jgss (Kerberos login), none of which the state store uses; with them
# the runtime would grow by ~16 MB (measured: 48 → 64 MB before stripping). Checked: password (SCRAM) login, LISTEN/NOTIFY and the deny-list
# queries run on a runtime without those modules.
UNSCANNED_JARS='postgresql-*.jar'

# Every JDK module the jars reference, plus the ones above.
runtime_modules() {
  local found
  local jars=() jar
  for jar in "$daemon_target"/lib/*.jar; do
    # shellcheck disable=SC2053 # a glob on purpose
    [[ $(basename "$jar") == $UNSCANNED_JARS ]] || jars+=("$jar")
  done
  found=$("$java_home/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps \
            "$daemon_target/securecmdd.jar" "${jars[@]}")
  [ -n "$found" ] || { echo "stage.sh: jdeps found no modules" >&2; exit 1; }
  { tr , '\n' <<<"$found"; printf '%s\n' "${EXTRA_MODULES[@]}"; } | sort -u | paste -sd, -
}

# A trimmed runtime. Its modules are stored uncompressed (--compress zip-0)
# because the .deb is compressed with xz, which does far better on the raw
# classes than on zip-compressed ones (lib/modules: 16.4 MB in the .deb at
# zip-6, 7.5 MB stored; installed it takes 39 MB instead of 17). The default
# class data sharing archive (--generate-cds-archive) is not shipped: postinst
# makes it (make-startup-cache), as Debian's JDK packages do.
make_runtime() {
  local modules; modules=$(runtime_modules)
  echo "stage.sh: runtime modules: $modules"
  echo "$modules" >"$stage/../runtime-modules.txt"
  "$java_home/bin/jlink" --add-modules "$modules" --output "$base/runtime" \
    --strip-debug \
    --no-header-files --no-man-pages --compress zip-0
  # Not needed: keytool (operators use openssl), jexec (runs jars via binfmt).
  rm -f "$base/runtime/bin/keytool" "$base/runtime/lib/jexec"
  trim_security_providers "$modules"
  strip_native
}

# The JDK's java.security lists 12 providers; jlink keeps the list whole although the runtime has the
# modules of only some. The JCA walks the list in order when a lookup is not answered by the first ones
# (the first handshake's NamedGroup setup asks for such algorithms), and a listed provider missing from the
# runtime sends it through ServiceLoader over the class path, where it constructs BouncyCastle's provider
# (bcprov registers one): measured in the package's container test, about 150 ms of the first device's
# handshake in cold code. Listed here: the providers whose modules are in the runtime, renumbered.
trim_security_providers() {
  local modules=",$1," conf="$base/runtime/conf/security/java.security"
  awk -v modules="$modules" '
    BEGIN {
      split("SUN:java.base SunRsaSign:java.base SunEC:java.base SunJSSE:java.base SunJCE:java.base " \
            "SunJGSS:java.security.jgss SunSASL:java.security.sasl XMLDSig:java.xml.crypto " \
            "SunPCSC:java.smartcardio JdkLDAP:java.naming JdkSASL:jdk.security.jgss " \
            "SunPKCS11:jdk.crypto.cryptoki", pairs, " ")
      for (i in pairs) { split(pairs[i], kv, ":"); module[kv[1]] = kv[2] }
      n = 0
    }
    /^security\.provider\.[0-9]+=/ {
      name = $0; sub(/^[^=]*=/, "", name); sub(/[ \t].*$/, "", name)
      if (!(name in module)) { print "stage.sh: unknown provider in java.security: " name > "/dev/stderr"; exit 2 }
      if (index(modules, "," module[name] ",") == 0) next
      sub(/^security\.provider\.[0-9]+=/, "security.provider." (++n) "=")
    }
    { print }
  ' "$conf" >"$conf.new"
  mv "$conf.new" "$conf"
  echo "stage.sh: security providers: $(sed -n 's/^security\.provider\.[0-9]*=//p' "$conf" | paste -sd, -)"
}

# Strip ELF files as dh_strip does (strip from binutils): Temurin ships them
# with symbol tables, which cost ~20% of the runtime and which lintian
# rejects. The dynamic symbols stay, so nothing that links to them changes.
strip_native() {
  local f
  while IFS= read -r -d '' f; do
    if head -c4 "$f" | grep -q $'\x7fELF'; then
      strip --strip-unneeded --remove-section=.comment --remove-section=.note "$f"
    fi
  done < <(find "$base/runtime" -type f \( -name '*.so' -o -path '*/bin/*' -o -name jspawnhelper \) -print0)
}

# securecmdd.jar sits in /usr/lib/securecmd and its dependencies in lib/ below
# it, because its manifest says Class-Path: lib/...: `java -jar` then works as
# in the build tree, and the class path (which the startup archive checks) is
# fixed by the manifest rather than by a directory listing.
# The jars are rewritten with their entries stored, not deflated, for the same
# reason as the runtime's modules: xz packs stored jars into about half of what
# it makes of deflated ones (10.2 MB -> 5.1 MB of the .deb with BouncyCastle).
# Same entries, order and dates, so signatures (bcprov's) stay valid and the
# output is reproducible.
copy_jars() {
  mkdir -p "$base/lib"
  store_jar "$daemon_target/securecmdd.jar" "$base/securecmdd.jar"
  local jar
  for jar in "$daemon_target"/lib/*.jar; do store_jar "$jar" "$base/lib/$(basename "$jar")"; done
}

store_jar() {
  python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as dst:
    for entry in src.infolist():
        copy = zipfile.ZipInfo(entry.filename, entry.date_time)
        copy.external_attr = entry.external_attr
        dst.writestr(copy, src.read(entry), zipfile.ZIP_STORED)
' "$1" "$2"
}

# Launchers are templates: the client jar's file name carries the version.
make_launchers() {
  local client_jar
  client_jar=$(cd "$base/lib" && ls securecmd-client*.jar | head -n1)
  [ -n "$client_jar" ] || { echo "stage.sh: no securecmd-client jar in $daemon_target/lib" >&2; exit 1; }
  mkdir -p "$stage/../launchers"
  for f in securecmdd securecmdctl securecmd-client make-startup-cache; do
    sed "s/@CLIENT_JAR@/$client_jar/; s/@VERSION@/$version/" "$deb_src/bin/$f" >"$stage/../launchers/$f"
  done
}

# Debian wants changelog and man pages compressed with gzip -9 and without a
# timestamp (-n), so the package is reproducible.
make_docs() {
  local doc=$stage/usr/share/doc/securecmd page section
  mkdir -p "$doc" "$stage/usr/share/lintian/overrides"
  for page in "$deb_src"/man/*.[158]; do
    section=${page##*.}
    mkdir -p "$stage/usr/share/man/man$section"
    sed "s/@VERSION@/$version/" "$page" | gzip -9n >"$stage/usr/share/man/man$section/$(basename "$page").gz"
  done
  # securecmd.toml(5) is made from the configuration reference, so every key is written down once.
  mkdir -p "$stage/usr/share/man/man5"
  python3 "$here/md2man.py" "$here/../../../docs/configuration.md" securecmd.toml 5 \
    "configuration file of securecmdd, /etc/securecmd/config.toml" "$version" \
    | gzip -9n >"$stage/usr/share/man/man5/securecmd.toml.5.gz"
  cp "$deb_src/doc/copyright" "$doc/copyright"
  # The manual (operator's and integrator's guides, references), as in the source tree's docs/.
  install -m 0644 "$here"/../../../docs/*.md "$doc/"
  sed "s/@VERSION@/$version/" "$deb_src/doc/changelog.Debian" | gzip -9n >"$doc/changelog.Debian.gz"
  cp "$deb_src/lintian/securecmd" "$stage/usr/share/lintian/overrides/securecmd"
  # Prometheus alert rules for the [metrics] endpoint (docs/metrics.md says how to use them).
  mkdir -p "$doc/examples"
  cp "$here/../../../etc/prometheus/securecmd-alerts.yml" "$doc/examples/securecmd-alerts.yml"
}

main() {
  rm -rf "$stage" "$stage/../launchers"
  mkdir -p "$base"
  make_runtime
  copy_jars
  make_launchers
  make_docs
}

main "$@"
