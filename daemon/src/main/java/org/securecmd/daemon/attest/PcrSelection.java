package org.securecmd.daemon.attest;

import java.util.ArrayList;
import java.util.List;

/**
 * A TPML_PCR_SELECTION: per bank, the hash algorithm and the selected PCR indices in ascending order,
 * which is the order in which the TPM concatenates their values for the quote's pcrDigest.
 */
record PcrSelection(List<Bank> banks) {
  /** One TPMS_PCR_SELECTION. */
  record Bank(int hashAlg, List<Integer> pcrs) {
    Bank {
      pcrs = List.copyOf(pcrs);
    }
  }

  PcrSelection {
    banks = List.copyOf(banks);
  }

  static PcrSelection read(TpmReader r) throws AttestationException {
    long count = r.u32() & 0xffffffffL;
    if (count > 16) throw AttestationException.bad("quote: PCR selection with " + count + " banks");
    List<Bank> banks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int hash = r.u16();
      byte[] bitmap = r.bytes(r.u8());
      List<Integer> pcrs = new ArrayList<>();
      for (int bit = 0; bit < bitmap.length * 8; bit++) {
        if ((bitmap[bit / 8] & (1 << (bit % 8))) != 0) pcrs.add(bit);
      }
      banks.add(new Bank(hash, pcrs));
    }
    return new PcrSelection(banks);
  }
}
