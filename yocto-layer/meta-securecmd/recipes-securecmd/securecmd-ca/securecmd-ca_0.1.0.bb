SUMMARY = "CA certificate that devices trust for the securecmd server"
DESCRIPTION = "Installs only ${sysconfdir}/securecmd/server_ca.pem (from \
SECURECMD_SERVER_CA), for devices whose own software is the TLS client. \
Devices with securecmd-client do not need it: the client carries the same file."
HOMEPAGE = "https://github.com/securecmd/securecmd"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://COPYING.MIT;md5=2326bf3d292ade5fda962f928fac9879"

SRC_URI = "file://COPYING.MIT"

# UNPACKDIR exists from styhead on; scarthgap unpacks into WORKDIR.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

inherit allarch securecmd-ca

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    securecmd_install_ca
}
