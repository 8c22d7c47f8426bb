package org.securecmd.tpm;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * PCR values as TPM2_PCR_Read gave them, in the selection's (ascending) order: what a quote's pcrDigest
 * hashes when concatenated, and what the QUOTE verb sends.
 */
public record PcrValues(PcrSelection selection, List<byte[]> values) {
  public PcrValues {
    if (values.size() != selection.indices().size()) {
      throw new IllegalArgumentException(values.size() + " values for " + selection.indices().size() + " PCRs");
    }
    values = values.stream().map(byte[]::clone).collect(java.util.stream.Collectors.toUnmodifiableList());
  }

  /** The values concatenated in selection order. */
  public byte[] concatenated() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] v : values) out.writeBytes(v);
    return out.toByteArray();
  }

  /** The value of PCR {@code index}. */
  public byte[] value(int index) {
    int i = selection.indices().indexOf(index);
    if (i < 0) throw new IllegalArgumentException("PCR " + index + " was not read");
    return values.get(i).clone();
  }
}
