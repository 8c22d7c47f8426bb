package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What TokenLink reads from tpm2_ptool, and its check for the tool, without a TPM. */
class TokenLinkTest {
  /** tpm2_ptool 1.9's listobjects: yaml.safe_dump of a list of dicts, keys sorted. */
  private static final String LISTING = """
      - CKA_CLASS: CKO_PRIVATE_KEY
        CKA_ID:
        - 6465766963652d31
        CKA_KEY_TYPE: CKK_EC
        CKA_LABEL: device
        id: 1
      - CKA_CLASS: CKO_PUBLIC_KEY
        CKA_ID:
        - 6465766963652d31
        CKA_KEY_TYPE: CKK_EC
        CKA_LABEL: device
        id: 2
      - CKA_CLASS: CKO_CERTIFICATE
        CKA_ID:
        - 6465766963652d31
        CKA_LABEL: device
        id: 3
      - CKA_CLASS: CKO_CERTIFICATE
        CKA_LABEL: 'Fleet Issuing CA'
        id: 4
      - CKA_CLASS: CKO_PRIVATE_KEY
        CKA_KEY_TYPE: CKK_EC
        CKA_LABEL: device-2
        id: 5
      - CKA_CLASS: CKO_CERTIFICATE
        CKA_LABEL: '''quoted'' device'
        id: 12
      """;

  @Test
  void theObjectsOfOneLabelAreFoundByTheirStoreIds() {
    assertEquals(List.of("1", "2", "3"), TokenLink.objectIds(LISTING, "device"));
    assertEquals(List.of("5"), TokenLink.objectIds(LISTING, "device-2"));
    assertEquals(List.of("4"), TokenLink.objectIds(LISTING, "Fleet Issuing CA"));
    assertEquals(List.of("12"), TokenLink.objectIds(LISTING, "'quoted' device"));
    assertEquals(List.of(), TokenLink.objectIds(LISTING, "devic"));
    assertEquals(List.of(), TokenLink.objectIds("", "device"), "an empty token prints nothing");
  }

  @Test
  void aMissingToolNamesThePackage() {
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
        () -> new TokenLink("tpm2_ptool", Map.of("PATH", "/nonexistent:/also-not")).check());
    assertTrue(e.getMessage().startsWith("tpm2_ptool not found: enroll needs tpm2-pkcs11's tools"), e.getMessage());
    assertThrows(GeneralSecurityException.class, () -> new TokenLink("/nonexistent/tpm2_ptool", Map.of()).check());
  }
}
