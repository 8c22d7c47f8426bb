SUMMARY = "securecmd client with what its TPM enrollment needs on the device"
DESCRIPTION = "The securecmd client and the TPM 2.0 software that securecmd-client enroll \
uses on the board: tpm2-pkcs11 (the PKCS#11 token that holds the TLS key), tpm2_ptool \
(tpm2-pkcs11-tools, with the python3 modules it imports: creates the token and links the \
enrolled key into it), tpm2-tools, and the TSS's device TCTI for the kernel's resource \
manager /dev/tpmrm0. They come from meta-security's meta-tpm layer; without it this recipe \
skips itself and the rest of the layer builds."
HOMEPAGE = "https://github.com/securecmd/securecmd"
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/Apache-2.0;md5=89aea4e17d99a7cacdbeed46a0096b10"

# Not allarch (packagegroup's default): it depends on target libraries whose package names
# the debian renaming may change per machine. meta-tpm's own packagegroups do the same.
PACKAGE_ARCH = "${TUNE_PKGARCH}"

inherit packagegroup

# The TPM packages. Empty here: dynamic-layers/meta-tpm sets them when meta-tpm (collection
# tpm-layer) is in the build, so meta-tpm stays optional. Set it in local.conf to take them
# from another layer, or to add to meta-tpm's list (e.g. tpm2-abrmd for a kernel without
# /dev/tpmrm0).
SECURECMD_TPM_PACKAGES ??= ""

python __anonymous() {
    if not (d.getVar('SECURECMD_TPM_PACKAGES') or '').split():
        raise bb.parse.SkipRecipe('securecmd-client enroll needs tpm2-pkcs11, tpm2_ptool and tpm2-tools on the '
                                  'device, which come from the meta-tpm layer of meta-security '
                                  '(https://git.yoctoproject.org/meta-security; it needs meta-oe and meta-python '
                                  'of meta-openembedded): add it, or set SECURECMD_TPM_PACKAGES to the packages '
                                  'of another layer that provides them')
}

RDEPENDS:${PN} = "securecmd-client ${SECURECMD_TPM_PACKAGES}"
