package org.securecmd.tpm;

/** An NV index's public area (TPMS_NV_PUBLIC): what TPM2_NV_ReadPublic says about it. */
public record NvPublic(int index, int nameAlg, int attributes, int dataSize) {}
