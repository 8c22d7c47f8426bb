SUMMARY = "CA certificate that devices trust for the securecmd server"
DESCRIPTION = "Installs ${sysconfdir}/securecmd/server_ca.pem from \
SECURECMD_SERVER_CA. securecmd-client depends on it; devices whose own \
software is the TLS client can install it alone."
HOMEPAGE = "https://github.com/securecmd/securecmd"
# The file is the integrator's own CA; the recipe is part of securecmd.
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/Apache-2.0;md5=89aea4e17d99a7cacdbeed46a0096b10"

# Nothing to fetch: the CA is read from SECURECMD_SERVER_CA in do_install.
# UNPACKDIR exists from styhead on; scarthgap unpacks into WORKDIR.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

inherit allarch securecmd-server-ca

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    securecmd_install_ca
}
