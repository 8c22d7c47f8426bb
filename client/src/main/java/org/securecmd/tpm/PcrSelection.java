package org.securecmd.tpm;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * PCRs of one bank, as a TPML_PCR_SELECTION with a single TPMS_PCR_SELECTION: hash algorithm, a 3-byte
 * bitmap (PCR n is bit n % 8 of byte n / 8). The TPM reports and digests selected PCRs in ascending order,
 * which is the order of {@link #indices()}.
 */
public record PcrSelection(int hashAlg, List<Integer> indices) {
  public PcrSelection {
    int[] sorted = indices.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    if (sorted.length == 0) throw new IllegalArgumentException("no PCR selected");
    if (sorted[0] < 0 || sorted[sorted.length - 1] > 23) {
      throw new IllegalArgumentException("PCR index out of range 0-23: " + indices);
    }
    indices = Arrays.stream(sorted).boxed().collect(Collectors.toUnmodifiableList());
  }

  /** PCRs of the SHA-256 bank. */
  public static PcrSelection sha256(int... pcrs) {
    return new PcrSelection(Alg.SHA256, Arrays.stream(pcrs).boxed().collect(Collectors.toList()));
  }

  /** The TPML_PCR_SELECTION. */
  public byte[] marshal() {
    byte[] bitmap = new byte[3];
    for (int i : indices) bitmap[i / 8] |= (byte) (1 << (i % 8));
    return new TpmWriter().u32(1).u16(hashAlg).u8(3).bytes(bitmap).toByteArray();
  }

  /**
   * Reads a TPML_PCR_SELECTION of one bank (an empty list, or a bank with nothing selected, is refused).
   *
   * @throws IllegalArgumentException if it is malformed or selects more than one bank
   */
  static PcrSelection read(TpmReader r) {
    int count = r.u32();
    if (count != 1) throw new IllegalArgumentException("TPML_PCR_SELECTION with " + count + " banks, expected 1");
    int hash = r.u16();
    byte[] bitmap = r.bytes(r.u8());
    List<Integer> selected = new java.util.ArrayList<>();
    for (int i = 0; i < bitmap.length * 8; i++) {
      if ((bitmap[i / 8] & (1 << (i % 8))) != 0) selected.add(i);
    }
    return new PcrSelection(hash, selected);
  }
}
