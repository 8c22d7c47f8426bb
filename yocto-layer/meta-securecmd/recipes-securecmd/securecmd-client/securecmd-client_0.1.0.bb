SUMMARY = "securecmd device client (TLS 1.3, mutual authentication)"
DESCRIPTION = "The securecmd command-line client and Java library for devices, \
a launcher for it, and the server CA the device trusts \
(${sysconfdir}/securecmd/server_ca.pem, from SECURECMD_SERVER_CA). \
Needs a Java 17+ runtime: set SECURECMD_JAVA_RUNTIME."
HOMEPAGE = "https://github.com/securecmd/securecmd"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://COPYING.MIT;md5=2326bf3d292ade5fda962f928fac9879"

# securecmd-client.jar is build output: yocto-layer/update-client-jar.sh copies
# it here from client/target/ after `mvn package` (see the layer README).
# unpack=0: bitbake would otherwise unzip the jar.
SRC_URI = "file://securecmd-client.jar;unpack=0 \
           file://securecmd-client.in \
           file://COPYING.MIT"

# UNPACKDIR exists from styhead on; scarthgap unpacks into WORKDIR.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

inherit allarch securecmd-ca

# The Java runtime is not in oe-core. Name the package of the runtime layer you
# use, e.g. SECURECMD_JAVA_RUNTIME = "openjdk-21-jre" with meta-openjdk-temurin.
SECURECMD_JAVA_RUNTIME ?= ""
RDEPENDS:${PN} = "${SECURECMD_JAVA_RUNTIME}"

# Both packages own server_ca.pem: let the package manager name the clash.
RCONFLICTS:${PN} = "securecmd-ca"

FILES:${PN} += "${datadir}/securecmd"

do_configure[noexec] = "1"

do_compile() {
    sed -e 's,@DATADIR@,${datadir},g' ${S}/securecmd-client.in > ${B}/securecmd-client
}

do_install() {
    install -d ${D}${datadir}/securecmd ${D}${bindir}
    install -m 0644 ${S}/securecmd-client.jar ${D}${datadir}/securecmd/securecmd-client.jar
    install -m 0755 ${B}/securecmd-client ${D}${bindir}/securecmd-client
    securecmd_install_ca
}
