# Sourced: sets JAVA_HOME to a JDK 25+ and puts it first on PATH, or exits with a clear message.
# Order: $JAVA_HOME if it is 25+, then /usr/lib/jvm/temurin-25-jdk-amd64, then any /usr/lib/jvm/*25*.
jdk_feature() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
find_jdk25() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] && [ -x "$c/bin/jlink" ] || continue
    v=$(jdk_feature "$c")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}
if ! JAVA_HOME=$(find_jdk25); then
  echo "error: securecmd needs a JDK 25 (with javac and jlink); none found in \$JAVA_HOME or /usr/lib/jvm." >&2
  echo "       Install Temurin 25 (e.g. /usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME to one." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8 bundles a Guava that calls sun.misc.Unsafe; JDK 25 warns about it on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
