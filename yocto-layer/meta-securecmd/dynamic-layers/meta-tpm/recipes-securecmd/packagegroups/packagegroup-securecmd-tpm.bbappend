# meta-tpm (meta-security) is in the build: what securecmd-client enroll runs on the board.
#   tpm2-pkcs11          libtpm2_pkcs11.so, the token the client signs TLS handshakes with
#   tpm2-pkcs11-tools    tpm2_ptool: init/addtoken at first boot, link of the enrolled key
#   python3-tpm2-pytss, python3-sqlite3, python3-fcntl
#                        imported by tpm2_ptool 1.9; scarthgap's tpm2-pkcs11-tools does not
#                        RDEPEND on them (wrynose's does; listing them again is harmless)
#   tpm2-tools           tpm2_evictcontrol, tpm2_nvread, tpm2_getekcertificate (factory steps)
#   libtss2-tcti-device  loaded at run time by the TSS's TCTI loader for device:/dev/tpmrm0;
#                        nothing links it, so no automatic dependency brings it
# No tpm2-abrmd: the kernel's /dev/tpmrm0 (Linux 4.12+) is the resource manager.
# A value set in local.conf wins.
SECURECMD_TPM_PACKAGES ?= "tpm2-pkcs11 tpm2-pkcs11-tools python3-tpm2-pytss python3-sqlite3 python3-fcntl \
                           tpm2-tools libtss2-tcti-device"
