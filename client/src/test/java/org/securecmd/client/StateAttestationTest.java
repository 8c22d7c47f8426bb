package org.securecmd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The client's reading of {@code ERR ATTESTATION_REQUIRED <state> sha256:<pcrs>}. */
class StateAttestationTest {
  @Test
  void theRequestedPcrsAreReadFromTheRefusal() throws Exception {
    assertEquals(List.of(0, 2, 7), StateAttestation.requested("golden sha256:0,2,7"));
    assertEquals(List.of(23), StateAttestation.requested("x sha256:23"));
    assertEquals(24, StateAttestation.ALL_PCRS.size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "golden", "golden sha1:0", "golden sha256:", "golden sha256:0,", "golden sha256:24",
      "golden sha256:0 extra", "golden sha256:a", "golden sha256:123"})
  void aMalformedRefusalIsANetworkError(String text) {
    ClientException e = assertThrows(ClientException.class, () -> StateAttestation.requested(text));
    assertEquals(ClientException.Kind.NETWORK, e.kind());
  }
}
