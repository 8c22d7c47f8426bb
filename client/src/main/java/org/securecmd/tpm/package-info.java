/**
 * A small TPM 2.0 command layer for the device side, JDK only: {@link org.securecmd.tpm.Tpm} sends
 * marshalled commands (GetRandom, ReadPublic, NV_Read, CreatePrimary, Create, Load, EvictControl, policy
 * sessions, ActivateCredential, Certify, Quote, PCR_Read) over a {@link org.securecmd.tpm.TpmTransport}
 * (the kernel's {@code /dev/tpmrm0}, or swtpm's TCP port), chosen by a TCTI-style {@link
 * org.securecmd.tpm.TpmSpec}, and returns the raw structures the enrollment and quote verbs carry plus
 * parsed views of them. Depends on nothing but the JDK; not exported from the module (the CLI uses it).
 */
package org.securecmd.tpm;
