package org.securecmd.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte layouts checked against the TPM 2.0 specification's examples and tpm2-tools' files. */
class MarshallingTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void commandWithoutSessionsHasNoAuthorizationArea() {
    Command c = new Command("TPM2_GetRandom", 0x17b, 0);
    c.params().u16(8);
    assertEquals("80010000000c0000017b0008", HEX.formatHex(c.marshal()));
  }

  @Test
  void commandWithPasswordAndPolicySessionsListsThemInHandleOrder() {
    Command c = new Command("TPM2_ActivateCredential", 0x147, 0).handle(0x80000001, new Session.Password(new byte[] {0x61}))
        .handle(0x81010001, new Session.Policy(0x03000000));
    c.params().u16(0);
    assertEquals("8002" + "0000002b" + "00000147" + "80000001" + "81010001"
        + "00000013" // authorization area: 10 bytes of password session, 9 of policy session
        + "40000009" + "0000" + "00" + "000161" // password session with "a"
        + "03000000" + "0000" + "01" + "0000" // policy session, continueSession
        + "0000", HEX.formatHex(c.marshal()));
  }

  @Test
  void policySessionHandleMustBeOne() {
    assertEquals("not a policy session handle: 0x40000009",
        assertThrows(IllegalArgumentException.class, () -> new Session.Policy(0x40000009)).getMessage());
  }

  @Test
  void errorResponseBecomesTpmExceptionWithCommandAndCode() {
    Command c = new Command("TPM2_Quote", 0x158, 0);
    TpmException e = assertThrows(TpmException.class,
        () -> Response.parse(c, HEX.parseHex("80010000000a00000902")));
    assertEquals("TPM2_Quote failed: TPM_RC 0x902 (out of memory for object contexts (flush transient objects))",
        e.getMessage());
    assertEquals(0x902, e.responseCode());
  }

  @Test
  void responseWhoseSizeDisagreesIsMalformed() {
    Command c = new Command("TPM2_GetRandom", 0x17b, 0);
    TpmException e = assertThrows(TpmException.class, () -> Response.parse(c, HEX.parseHex("80010000000c00000000")));
    assertEquals("TPM2_GetRandom failed: malformed response: header says 12 bytes, received 10", e.getMessage());
    assertEquals(0, e.responseCode());
  }

  @Test
  void sessionResponseParametersEndAtParameterSize() throws TpmException {
    Command c = new Command("TPM2_Load", 0x157, 1);
    // handle 80000002, parameterSize 4, TPM2B_NAME of 2 bytes, then the session area (nonce, attrs, ack)
    Response r = Response.parse(c, HEX.parseHex("80020000001b00000000" + "80000002" + "00000004" + "0002abcd"
        + "0000" + "01" + "0000"));
    assertEquals(0x80000002, r.handle(0));
    assertArrayEquals(new byte[] {(byte) 0xab, (byte) 0xcd}, r.params().tpm2b());
    assertEquals(0, r.params().remaining());
  }

  @Test
  void pcrSelectionIsOneBankWithABitPerPcr() {
    assertEquals("00000001" + "000b" + "03" + "850000", HEX.formatHex(PcrSelection.sha256(7, 0, 2).marshal()));
    assertEquals("00000001" + "000b" + "03" + "000081", HEX.formatHex(PcrSelection.sha256(16, 23).marshal()));
    assertEquals(List.of(0, 2, 7), PcrSelection.sha256(7, 2, 0, 2).indices());
  }

  @Test
  void pcrSelectionRefusesNothingAndOutOfRange() {
    assertEquals("no PCR selected", assertThrows(IllegalArgumentException.class, PcrSelection::sha256).getMessage());
    assertEquals("PCR index out of range 0-23: [24]",
        assertThrows(IllegalArgumentException.class, () -> PcrSelection.sha256(24)).getMessage());
  }

  @Test
  void templatesHaveTheDocumentedAttributes() {
    assertEquals(0x00040072, template(KeyTemplate.tlsKey()).attributes());
    assertEquals(0x00050072, template(KeyTemplate.attestationKey()).attributes());
    assertEquals(Alg.ECDSA, template(KeyTemplate.attestationKey()).schemeAlg());
    assertEquals(Alg.SHA256, template(KeyTemplate.attestationKey()).schemeHash());
    assertEquals(0x000300b2, template(KeyTemplate.endorsementRsa2048()).attributes());
    assertEquals(0x000300f2, template(KeyTemplate.endorsementEccP384()).attributes());
    assertEquals(256, template(KeyTemplate.endorsementEccP384()).symmetricKeyBits());
    assertEquals(0x00030472, template(KeyTemplate.storageRootKey()).attributes());
    TpmPublic ek = template(KeyTemplate.endorsementRsa2048());
    assertEquals(0x13a, ek.marshalled().length - 2);
    assertEquals(34, ek.name().length);
    assertEquals("000b", HEX.formatHex(ek.name(), 0, 2));
  }

  @Test
  void templateHasNoPublicKeyYet() {
    assertEquals("public area has no key (a template?)",
        assertThrows(IllegalArgumentException.class, () -> template(KeyTemplate.tlsKey()).publicKey()).getMessage());
  }

  @Test
  void truncatedOrPaddedPublicAreaIsRefusedWithWhereItEnded() {
    byte[] good = template(KeyTemplate.tlsKey()).marshalled();
    byte[] cut = java.util.Arrays.copyOf(good, good.length - 1);
    cut[1]--; // consistent size prefix, one byte short inside
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TpmPublic.parse(cut)).getMessage()
        .startsWith("TPMT_PUBLIC is truncated at offset"));
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
    assertEquals("TPM2B_PUBLIC: 1 unexpected bytes after offset " + good.length,
        assertThrows(IllegalArgumentException.class, () -> TpmPublic.parse(longer)).getMessage());
  }

  @Test
  void attestationWithWrongMagicOrTypeIsRefused() {
    assertEquals("TPMS_ATTEST magic 0xff544348", assertThrows(IllegalArgumentException.class,
        () -> AttestationInfo.parse(HEX.parseHex("ff544348801800000000"))).getMessage());
    String header = "ff544347" + "8014" + "0000" + "0000" + "0000000000000000" + "00000000" + "00000000" + "01"
        + "0000000000000000";
    assertEquals("TPMS_ATTEST type 0x8014: expected certify (0x8017) or quote (0x8018)",
        assertThrows(IllegalArgumentException.class, () -> AttestationInfo.parse(HEX.parseHex(header))).getMessage());
  }

  @Test
  void quoteAttestationIsParsedIntoSelectionAndDigest() {
    String attest = "ff544347" + "8018" + "0002aaaa" + "0003010203" + "0000000000000005" + "00000001" + "00000002"
        + "01" + "0000000000000009" + "00000001000b03850000" + "0002beef";
    AttestationInfo info = AttestationInfo.parse(HEX.parseHex(attest));
    assertEquals(AttestationInfo.TYPE_QUOTE, info.type());
    assertArrayEquals(new byte[] {1, 2, 3}, info.extraData());
    assertEquals(5, info.clock());
    assertTrue(info.safe());
    assertEquals(PcrSelection.sha256(0, 2, 7), info.pcrSelection().orElseThrow());
    assertEquals("beef", HEX.formatHex(info.pcrDigest()));
    assertEquals("TPMS_ATTEST: 1 unexpected bytes after offset 54", assertThrows(IllegalArgumentException.class,
        () -> AttestationInfo.parse(HEX.parseHex(attest + "00"))).getMessage());
  }

  @Test
  void signatureOfAnotherSchemeIsRefused() {
    assertEquals("TPMT_SIGNATURE scheme 0x16: expected ECDSA (0x0018) or RSASSA (0x0014)", assertThrows(
        IllegalArgumentException.class, () -> TpmSignature.parse(HEX.parseHex("0016000b0000"))).getMessage());
  }

  private static TpmPublic template(KeyTemplate t) {
    return TpmPublic.parse(TpmWriter.sized(t.area()));
  }
}
