SUMMARY = "securecmd device client (TLS 1.3, mutual authentication)"
DESCRIPTION = "The securecmd command-line client and Java library for devices, \
a launcher for it and, on systemd images, a daily timer that renews the device \
certificate over the channel when it is due. The server CA comes from \
securecmd-ca. Needs a Java 17+ runtime (SECURECMD_JAVA_RUNTIME)."
HOMEPAGE = "https://github.com/securecmd/securecmd"
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/Apache-2.0;md5=89aea4e17d99a7cacdbeed46a0096b10"

# securecmd-client.jar is build output, not in git: yocto-layer/update-client-jar.sh
# copies it into files/ and writes files/securecmd-client-jar.inc with the jar's
# version and sha256. In a fresh clone neither exists: the include is optional
# and the recipe skips itself (below) instead of breaking every parse.
SECURECMD_CLIENT_VERSION ??= ""
SECURECMD_CLIENT_SHA256 ??= ""
include files/securecmd-client-jar.inc
PV = "${@d.getVar('SECURECMD_CLIENT_VERSION') or '0'}"

# unpack=0: bitbake would otherwise unzip the jar.
SRC_URI = "file://securecmd-client.jar;unpack=0 \
           file://securecmd-client.in \
           file://securecmd-renew.service.in \
           file://securecmd-renew.timer.in"

# UNPACKDIR exists from styhead on; scarthgap unpacks into WORKDIR.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

inherit allarch systemd

python __anonymous() {
    if not d.getVar('SECURECMD_CLIENT_VERSION') or not bb.utils.which(d.getVar('FILESPATH'), 'securecmd-client.jar'):
        raise bb.parse.SkipRecipe('the client jar is not in the layer yet: build it (mvn -B package at the '
                                  'repository root) and run yocto-layer/update-client-jar.sh, which copies '
                                  'securecmd-client.jar into the layer and records its version')
}

# The Java runtime is not in oe-core. With meta-openjdk-temurin in the build the
# layer's dynamic-layers/ bbappend makes this openjdk-17-jre; otherwise name the
# Java 17+ runtime package of your Java layer. Empty: do_securecmd_check_java
# stops the build of the package (and so of any image with it).
SECURECMD_JAVA_RUNTIME ??= ""
# securecmd-ca is the one package that owns ${sysconfdir}/securecmd/server_ca.pem.
RDEPENDS:${PN} = "securecmd-ca ${SECURECMD_JAVA_RUNTIME}"

# Certificate renewal (systemd images only): securecmd-renew.timer runs
# securecmd-renew.service daily, which runs
#   securecmd-client renew --config SECURECMD_CLIENT_CONFIG --if-expires-within SECURECMD_RENEW_WITHIN
# and does nothing when the certificate is not due. "0": ship the units disabled.
SECURECMD_RENEW_TIMER ?= "1"
SECURECMD_RENEW_WITHIN ?= "30d"
SECURECMD_RENEW_OPTIONS ?= ""
SECURECMD_CLIENT_CONFIG ?= "${sysconfdir}/securecmd/client.properties"
# The only directories the renewal may write: where the key and certificate
# named in the client config live (a read-only rootfs keeps them in
# ${localstatedir}/lib/securecmd), plus a PKCS#11 token's store if it keeps
# the certificate in files. Space-separated.
SECURECMD_IDENTITY_DIR ?= "${sysconfdir}/securecmd"
# "-": a directory that does not exist (yet) does not stop the service.
SECURECMD_RW_PATHS = "${@' '.join('-' + p for p in (d.getVar('SECURECMD_IDENTITY_DIR') or '').split())}"

SYSTEMD_SERVICE:${PN} = "securecmd-renew.timer"
SYSTEMD_AUTO_ENABLE:${PN} = "${@'enable' if d.getVar('SECURECMD_RENEW_TIMER') == '1' else 'disable'}"
# The service has no [Install] section (the timer starts it): package it by name.
FILES:${PN} += "${systemd_system_unitdir}/securecmd-renew.service"

do_configure[noexec] = "1"

do_compile() {
    sed -e 's,@DATADIR@,${datadir},g' ${S}/securecmd-client.in > ${B}/securecmd-client
    for unit in securecmd-renew.service securecmd-renew.timer; do
        sed -e 's,@BINDIR@,${bindir},g' \
            -e 's,@CLIENT_CONFIG@,${SECURECMD_CLIENT_CONFIG},g' \
            -e 's,@RW_PATHS@,${SECURECMD_RW_PATHS},g' \
            -e 's,@RENEW_WITHIN@,${SECURECMD_RENEW_WITHIN},g' \
            -e 's,@RENEW_OPTIONS@,${SECURECMD_RENEW_OPTIONS},g' \
            -e 's, *$,,' \
            ${S}/$unit.in > ${B}/$unit
    done
}

do_install[prefuncs] += "securecmd_check_client"
do_install() {
    install -d ${D}${datadir}/securecmd ${D}${bindir}
    install -m 0644 ${S}/securecmd-client.jar ${D}${datadir}/securecmd/securecmd-client.jar
    install -m 0755 ${B}/securecmd-client ${D}${bindir}/securecmd-client
    if ${@bb.utils.contains('DISTRO_FEATURES', 'systemd', 'true', 'false', d)}; then
        install -d ${D}${systemd_system_unitdir}
        install -m 0644 ${B}/securecmd-renew.service ${D}${systemd_system_unitdir}/securecmd-renew.service
        install -m 0644 ${B}/securecmd-renew.timer ${D}${systemd_system_unitdir}/securecmd-renew.timer
    fi
}

python securecmd_check_client() {
    import hashlib
    jar = os.path.join(d.getVar('S'), 'securecmd-client.jar')
    with open(jar, 'rb') as f:
        got = hashlib.sha256(f.read()).hexdigest()
    if got != d.getVar('SECURECMD_CLIENT_SHA256'):
        bb.fatal('securecmd-client.jar (sha256 %s) is not the jar whose version update-client-jar.sh '
                 'recorded (sha256 %s): copy jars only with yocto-layer/update-client-jar.sh'
                 % (got, d.getVar('SECURECMD_CLIENT_SHA256')))
    for var in ('SECURECMD_RENEW_WITHIN', 'SECURECMD_CLIENT_CONFIG'):
        if not d.getVar(var) or ',' in d.getVar(var) or ' ' in d.getVar(var):
            bb.fatal('%s = "%s": give one value without spaces or commas' % (var, d.getVar(var) or ''))
    dirs = (d.getVar('SECURECMD_IDENTITY_DIR') or '').split()
    if not dirs or any(not os.path.isabs(p) or ',' in p for p in dirs):
        bb.fatal('SECURECMD_IDENTITY_DIR = "%s": give one or more absolute directories, separated by spaces'
                 % (d.getVar('SECURECMD_IDENTITY_DIR') or ''))
    if ',' in (d.getVar('SECURECMD_RENEW_OPTIONS') or ''):
        bb.fatal('SECURECMD_RENEW_OPTIONS = "%s": no commas' % d.getVar('SECURECMD_RENEW_OPTIONS'))
    if d.getVar('SECURECMD_RENEW_TIMER') not in ('0', '1'):
        bb.fatal('SECURECMD_RENEW_TIMER = "%s": "1" (default) enables the certificate renewal timer, "0" ships it disabled'
                 % d.getVar('SECURECMD_RENEW_TIMER'))
}

def securecmd_java_error(runtime):
    """Why runtime is not a Java 17+ runtime package for the client, or None."""
    import re
    if not runtime.strip():
        return ('securecmd-client needs a Java 17+ runtime on the device and SECURECMD_JAVA_RUNTIME is empty: '
                'add the layer meta-openjdk-temurin (https://github.com/lucimber/meta-openjdk-temurin), which '
                'makes it openjdk-17-jre, or set SECURECMD_JAVA_RUNTIME to the Java 17+ runtime package of '
                'your Java layer')
    for name in runtime.split():
        if name == 'java2-runtime' or re.search(r'(^|[^0-9.])(1\.)?(8|11)([^0-9]|$)', name):
            return ('SECURECMD_JAVA_RUNTIME = "%s": %s is (or may be) a Java 8 or 11 runtime; the client needs '
                    'Java 17 or newer, e.g. openjdk-17-jre or openjdk-21-jre from meta-openjdk-temurin'
                    % (runtime, name))
    return None

# Runs before packaging, so any image with the client stops here with the
# layer to add, instead of building without Java or with a bare "Nothing
# RPROVIDES". Not at parse time: with oe-core alone the layer must parse.
python do_securecmd_check_java() {
    problem = securecmd_java_error(d.getVar('SECURECMD_JAVA_RUNTIME') or '')
    if problem:
        bb.fatal(problem)
}
addtask securecmd_check_java after do_install before do_package
