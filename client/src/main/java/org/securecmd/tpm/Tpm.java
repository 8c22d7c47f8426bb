package org.securecmd.tpm;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The TPM 2.0 commands the device side needs, over one {@link TpmTransport}: one method per command,
 * each marshalling its command, sending it and parsing what the caller needs from the response. Every
 * failure is a {@link TpmException} naming the command (and the TPM's response code when it gave one).
 *
 * <pre>
 *   try (Tpm tpm = Tpm.open(TpmSpec.parse("swtpm:host=127.0.0.1,port=2321"))) {
 *     byte[] ekCert = tpm.nvRead(EndorsementKeyType.RSA_2048.certificateIndex());
 *   }
 * </pre>
 *
 * <p>Authorization: hierarchies and the keys made here have empty authValues and get a password session.
 * A key whose user role needs its policy (a low-range EK: PolicySecret(TPM_RH_ENDORSEMENT)) gets a fresh
 * policy session per command, flushed afterwards ({@link #userSession}). Transient objects the methods
 * return are the caller's to flush: without a resource manager a TPM holds only about three.
 *
 * <p>Not for concurrent use: one command at a time, as the transport carries them. This class is over
 * 300 lines because it is the one facade of some twenty commands; each method is short, and splitting
 * them would scatter one small API over several entry points ({@link Exchange} does the sending).
 */
public final class Tpm implements AutoCloseable {
  private static final int TPM_CAP_TPM_PROPERTIES = 6;
  private static final int TPM_PT_NV_BUFFER_MAX = 0x12c;
  private static final int TPMA_NV_OWNERREAD = 0x20000;
  private static final int TPMA_NV_AUTHREAD = 0x40000;
  private static final int TPM_SE_POLICY = 0x01;

  private final TpmTransport transport;
  private final Exchange exchange;
  private final SecureRandom random = new SecureRandom();

  /** Uses {@code transport}; {@link #close} closes it. */
  public Tpm(TpmTransport transport) {
    this.transport = transport;
    this.exchange = new Exchange(transport);
  }

  /** Opens the TPM {@code spec} names. */
  public static Tpm open(TpmSpec spec) throws TpmException {
    try {
      return new Tpm(spec.open());
    } catch (IOException e) {
      throw new TpmException("open TPM", e.getMessage(), e);
    }
  }

  /** Where this TPM is, as a spec string. */
  public String describe() {
    return transport.describe();
  }

  /** TPM2_GetRandom, repeated until {@code count} bytes are there (the TPM gives at most a digest's size at once). */
  public byte[] getRandom(int count) throws TpmException {
    byte[] out = new byte[count];
    int have = 0;
    while (have < count) {
      Command c = new Command("TPM2_GetRandom", 0x17b, 0);
      c.params().u16(Math.min(count - have, 32));
      byte[] chunk = call(c, r -> r.params().tpm2b());
      if (chunk.length == 0) throw new TpmException(c.name, "the TPM returned no random bytes", null);
      System.arraycopy(chunk, 0, out, have, Math.min(chunk.length, count - have));
      have += chunk.length;
    }
    return out;
  }

  /** TPM2_ReadPublic: the public area of a loaded or persistent object. */
  public TpmPublic readPublic(int handle) throws TpmException {
    Command c = new Command("TPM2_ReadPublic " + Handles.hex(handle), 0x173, 0).handle(handle);
    return call(c, r -> TpmPublic.parse(r.params().tpm2bWithSize()));
  }

  /** The key persisted at {@code handle} (an AK from an earlier enrollment, for one). */
  public LoadedKey persistentKey(int handle) throws TpmException {
    return new LoadedKey(handle, readPublic(handle));
  }

  /** TPM2_NV_ReadPublic. */
  public NvPublic nvReadPublic(int index) throws TpmException {
    Command c = new Command("TPM2_NV_ReadPublic " + Handles.hex(index), 0x169, 0).handle(index);
    return call(c, r -> {
      TpmReader nv = r.params().sub(r.params().u16(), "TPMS_NV_PUBLIC");
      int idx = nv.u32();
      int nameAlg = nv.u16();
      int attributes = nv.u32();
      nv.tpm2b(); // authPolicy
      return new NvPublic(idx, nameAlg, attributes, nv.u16());
    });
  }

  /**
   * The whole content of an NV index (an EK certificate, for one), read with TPM2_NV_Read in chunks of the
   * TPM's NV buffer size. Authorized by the owner (empty password) when the index allows owner reads,
   * else by the index itself.
   */
  public byte[] nvRead(int index) throws TpmException {
    NvPublic pub = nvReadPublic(index);
    int auth;
    if ((pub.attributes() & TPMA_NV_OWNERREAD) != 0) {
      auth = Handles.RH_OWNER;
    } else if ((pub.attributes() & TPMA_NV_AUTHREAD) != 0) {
      auth = index;
    } else {
      throw new TpmException("TPM2_NV_Read " + Handles.hex(index),
          "the index allows neither owner nor index reads (attributes 0x" + Integer.toHexString(pub.attributes()) + ")",
          null);
    }
    int chunk = nvBufferMax();
    byte[] out = new byte[pub.dataSize()];
    for (int offset = 0; offset < out.length; offset += chunk) {
      int size = Math.min(chunk, out.length - offset);
      Command c = new Command("TPM2_NV_Read " + Handles.hex(index) + " at " + offset, 0x14e, 0)
          .handle(auth, Session.password()).handle(index);
      c.params().u16(size).u16(offset);
      byte[] part = call(c, r -> r.params().tpm2b());
      if (part.length != size) throw new TpmException(c.name, "asked for " + size + " bytes, got " + part.length, null);
      System.arraycopy(part, 0, out, offset, size);
    }
    return out;
  }

  /** The EK certificate (DER) the manufacturer stored for an EK of this type. */
  public byte[] endorsementCertificate(EndorsementKeyType type) throws TpmException {
    return nvRead(type.certificateIndex());
  }

  /**
   * The EK of {@code type}: the persisted one if its handle holds a key of the template's shape, else one
   * created from the template with TPM2_CreatePrimary (transient: the caller flushes it).
   */
  public LoadedKey endorsementKey(EndorsementKeyType type) throws TpmException {
    TpmPublic template = TpmPublic.parse(TpmWriter.sized(type.template().area()));
    try {
      TpmPublic persisted = readPublic(type.persistentHandle());
      if (persisted.type() == template.type() && persisted.curve() == template.curve()
          && persisted.attributes() == template.attributes()) {
        return new LoadedKey(type.persistentHandle(), persisted);
      }
    } catch (TpmException e) {
      if (e.baseCode() != ResponseCodes.HANDLE) throw e; // nothing persisted there: create it
    }
    return createPrimary(Handles.RH_ENDORSEMENT, type.template());
  }

  /**
   * The storage root key: the one persisted at {@link Handles#SRK_PERSISTENT} if that handle holds a
   * restricted decryption key, else one created from {@link KeyTemplate#storageRootKey} (transient: the
   * caller flushes it, or persists it with {@link #persist} so tpm2-pkcs11 can use it as its primary).
   */
  public LoadedKey storageRootKey() throws TpmException {
    try {
      TpmPublic persisted = readPublic(Handles.SRK_PERSISTENT);
      if (persisted.has(TpmPublic.RESTRICTED | TpmPublic.DECRYPT)) return new LoadedKey(Handles.SRK_PERSISTENT, persisted);
    } catch (TpmException e) {
      if (e.baseCode() != ResponseCodes.HANDLE) throw e;
    }
    return createPrimary(Handles.RH_OWNER, KeyTemplate.storageRootKey());
  }

  /** TPM2_CreatePrimary in {@code hierarchy} (owner or endorsement, empty password) from {@code template}. */
  public LoadedKey createPrimary(int hierarchy, KeyTemplate template) throws TpmException {
    Command c = new Command("TPM2_CreatePrimary " + template.description(), 0x131, 1)
        .handle(hierarchy, Session.password());
    creationParams(c, template);
    return call(c, r -> new LoadedKey(r.handle(0), TpmPublic.parse(r.params().tpm2bWithSize())));
  }

  /** TPM2_Create: a key from {@code template} under {@code parent}, authorized as {@link #userSession} says. */
  public CreatedKey create(LoadedKey parent, KeyTemplate template) throws TpmException {
    Session s = userSession(parent.publicArea());
    try {
      Command c = new Command("TPM2_Create " + template.description(), 0x153, 0).handle(parent.handle(), s);
      creationParams(c, template);
      return call(c, r -> new CreatedKey(r.params().tpm2bWithSize(), TpmPublic.parse(r.params().tpm2bWithSize())));
    } finally {
      endSession(s);
    }
  }

  /** TPM2_Load: loads {@code key} under {@code parent}; the returned transient handle is the caller's to flush. */
  public LoadedKey load(LoadedKey parent, CreatedKey key) throws TpmException {
    Session s = userSession(parent.publicArea());
    try {
      Command c = new Command("TPM2_Load", 0x157, 1).handle(parent.handle(), s);
      c.params().bytes(key.privateArea()).bytes(key.publicArea().marshalled());
      return call(c, r -> new LoadedKey(r.handle(0), key.publicArea()));
    } finally {
      endSession(s);
    }
  }

  /** TPM2_FlushContext: frees a transient object or a session. */
  public void flushContext(int handle) throws TpmException {
    Command c = new Command("TPM2_FlushContext " + Handles.hex(handle), 0x165, 0);
    c.params().u32(handle); // a parameter, not a handle, in this command
    call(c, r -> null);
  }

  /**
   * TPM2_EvictControl with owner authorization: persists the transient {@code key} at {@code
   * persistentHandle} (0x81000000-0x817fffff), so a later run finds it there. The transient copy stays
   * loaded (the caller flushes it).
   */
  public LoadedKey persist(LoadedKey key, int persistentHandle) throws TpmException {
    evictControl("TPM2_EvictControl " + Handles.hex(key.handle()) + " -> " + Handles.hex(persistentHandle),
        key.handle(), persistentHandle);
    return new LoadedKey(persistentHandle, key.publicArea());
  }

  /** TPM2_EvictControl with owner authorization: removes the persistent key at {@code persistentHandle}. */
  public void evict(int persistentHandle) throws TpmException {
    evictControl("TPM2_EvictControl remove " + Handles.hex(persistentHandle), persistentHandle, persistentHandle);
  }

  private void evictControl(String name, int object, int persistentHandle) throws TpmException {
    Command c = new Command(name, 0x120, 0).handle(Handles.RH_OWNER, Session.password()).handle(object);
    c.params().u32(persistentHandle);
    call(c, r -> null);
  }

  /** TPM2_StartAuthSession: an unsalted, unbound policy session with {@code hashAlg}; returns its handle. */
  public int startPolicySession(int hashAlg) throws TpmException {
    Command c = new Command("TPM2_StartAuthSession", 0x176, 1).handle(Handles.RH_NULL).handle(Handles.RH_NULL);
    byte[] nonce = new byte[Alg.digest(hashAlg).getDigestLength()];
    random.nextBytes(nonce);
    c.params().tpm2b(nonce).tpm2b(new byte[0]).u8(TPM_SE_POLICY).u16(Alg.NULL).u16(hashAlg);
    return call(c, r -> r.handle(0));
  }

  /** TPM2_PolicySecret: extends {@code policySession} with the secret of {@code authHandle} (empty password). */
  public void policySecret(int authHandle, int policySession) throws TpmException {
    Command c = new Command("TPM2_PolicySecret " + Handles.hex(authHandle), 0x151, 0)
        .handle(authHandle, Session.password()).handle(policySession);
    c.params().tpm2b(new byte[0]).tpm2b(new byte[0]).tpm2b(new byte[0]).u32(0);
    call(c, r -> null);
  }

  /**
   * The session for the user role of an object: an empty password when it has userWithAuth; a new policy
   * session satisfied with PolicySecret(TPM_RH_ENDORSEMENT) when its authPolicy is exactly that (the
   * low-range EKs). End it with {@link #endSession}.
   *
   * @throws TpmException if the object needs a policy this class does not know
   */
  public Session userSession(TpmPublic object) throws TpmException {
    if (object.has(TpmPublic.USER_WITH_AUTH)) return Session.password();
    if (!Arrays.equals(object.authPolicy(), KeyTemplate.POLICY_A_SHA256) || object.nameAlg() != Alg.SHA256) {
      throw new TpmException("authorize " + object, "the object needs a policy other than PolicySecret(endorsement)",
          null);
    }
    int session = startPolicySession(object.nameAlg());
    try {
      policySecret(Handles.RH_ENDORSEMENT, session);
    } catch (TpmException e) {
      flushQuietly(session);
      throw e;
    }
    return new Session.Policy(session);
  }

  /** Flushes a policy session (if it is still loaded); nothing for a password session. */
  public void endSession(Session s) {
    if (s instanceof Session.Policy) flushQuietly(((Session.Policy) s).handle());
  }

  /**
   * TPM2_ActivateCredential: recovers the secret that MakeCredential bound to {@code ak}'s Name and
   * encrypted to {@code ek}. The AK is authorized by password, the EK as {@link #userSession} says.
   *
   * @param credentialBlob TPM2B_ID_OBJECT, size prefix included
   * @param encryptedSecret TPM2B_ENCRYPTED_SECRET, size prefix included
   * @return the secret (without size prefix)
   */
  public byte[] activateCredential(LoadedKey ak, LoadedKey ek, byte[] credentialBlob, byte[] encryptedSecret)
      throws TpmException {
    Session s = userSession(ek.publicArea());
    try {
      Command c = new Command("TPM2_ActivateCredential", 0x147, 0).handle(ak.handle(), Session.password())
          .handle(ek.handle(), s);
      c.params().bytes(credentialBlob).bytes(encryptedSecret);
      return call(c, r -> r.params().tpm2b());
    } finally {
      endSession(s);
    }
  }

  /**
   * TPM2_Certify: {@code signer} (an AK, with its own scheme) attests that {@code object} is loaded in this
   * TPM, with {@code qualifyingData} (a server's nonce) as extraData.
   */
  public Attestation certify(LoadedKey object, LoadedKey signer, byte[] qualifyingData) throws TpmException {
    Command c = new Command("TPM2_Certify", 0x148, 0).handle(object.handle(), Session.password())
        .handle(signer.handle(), Session.password());
    c.params().tpm2b(qualifyingData).u16(Alg.NULL);
    return call(c, Tpm::attestation);
  }

  /**
   * TPM2_Sign: {@code key} (an unrestricted signing key whose own scheme is null, as {@link KeyTemplate#tlsKey}
   * makes it) signs {@code digest} (a SHA-256 digest) with ECDSA or RSASSA as its type says; returns the raw
   * TPMT_SIGNATURE. For a CSR's signature: the key never leaves the TPM.
   */
  public TpmSignature sign(LoadedKey key, byte[] digest) throws TpmException {
    int scheme = key.publicArea().type() == Alg.ECC ? Alg.ECDSA : Alg.RSASSA;
    Command c = new Command("TPM2_Sign", 0x15d, 0).handle(key.handle(), Session.password());
    // TPMT_TK_HASHCHECK: TPM_ST_HASHCHECK, TPM_RH_NULL, an empty digest (the digest was not made by the TPM)
    c.params().tpm2b(digest).u16(scheme).u16(Alg.SHA256).u16(0x8024).u32(Handles.RH_NULL).u16(0);
    return call(c, r -> TpmSignature.parse(r.params().bytes(r.params().remaining())));
  }

  /** TPM2_Quote: {@code signer} (an AK) signs the digest of the selected PCRs with {@code qualifyingData}. */
  public Attestation quote(LoadedKey signer, byte[] qualifyingData, PcrSelection pcrs) throws TpmException {
    Command c = new Command("TPM2_Quote", 0x158, 0).handle(signer.handle(), Session.password());
    c.params().tpm2b(qualifyingData).u16(Alg.NULL).bytes(pcrs.marshal());
    return call(c, Tpm::attestation);
  }

  /** TPM2_PCR_Read of the selected PCRs, repeated until all are read (a TPM answers with at most eight). */
  public PcrValues pcrRead(PcrSelection pcrs) throws TpmException {
    List<Integer> remaining = new ArrayList<>(pcrs.indices());
    byte[][] values = new byte[pcrs.indices().size()][];
    while (!remaining.isEmpty()) {
      Command c = new Command("TPM2_PCR_Read", 0x17e, 0);
      c.params().bytes(new PcrSelection(pcrs.hashAlg(), remaining).marshal());
      List<Integer> read = call(c, r -> {
        r.params().u32(); // pcrUpdateCounter
        TpmReader p = r.params();
        List<Integer> got = new ArrayList<>();
        for (int bank = p.u32(); bank > 0; bank--) {
          p.u16();
          byte[] bitmap = p.bytes(p.u8());
          for (int i = 0; i < bitmap.length * 8; i++) if ((bitmap[i / 8] & (1 << (i % 8))) != 0) got.add(i);
        }
        int count = p.u32();
        if (count != got.size()) throw new IllegalArgumentException(count + " values for PCRs " + got);
        for (int i : got) values[pcrs.indices().indexOf(i)] = p.tpm2b();
        return got;
      });
      if (read.isEmpty() || !remaining.containsAll(read)) {
        throw new TpmException(c.name, "PCRs " + remaining + " of bank 0x" + Integer.toHexString(pcrs.hashAlg())
            + " could not be read (bank not allocated?)", null);
      }
      remaining.removeAll(read);
    }
    return new PcrValues(pcrs, Arrays.asList(values));
  }

  @Override
  public void close() throws TpmException {
    exchange.close();
  }

  /** TPM_PT_NV_BUFFER_MAX, or 512 if the TPM does not report it. */
  private int nvBufferMax() throws TpmException {
    Command c = new Command("TPM2_GetCapability TPM_PT_NV_BUFFER_MAX", 0x17a, 0);
    c.params().u32(TPM_CAP_TPM_PROPERTIES).u32(TPM_PT_NV_BUFFER_MAX).u32(1);
    return call(c, r -> {
      TpmReader p = r.params();
      p.u8(); // moreData
      p.u32(); // capability
      if (p.u32() < 1 || p.u32() != TPM_PT_NV_BUFFER_MAX) return 512;
      int value = p.u32();
      return value > 0 ? value : 512;
    });
  }

  private void flushQuietly(int handle) {
    try {
      flushContext(handle);
    } catch (TpmException ignored) {
      // already gone (a session the TPM ended) or the transport failed: the original outcome matters more
    }
  }

  /** TPM2B_SENSITIVE_CREATE (empty auth and data), TPM2B_PUBLIC, outsideInfo, creationPCR: Create and CreatePrimary. */
  private static void creationParams(Command c, KeyTemplate template) {
    c.params().tpm2b(new byte[4]).tpm2b(template.area()).tpm2b(new byte[0]).u32(0);
  }

  private static Attestation attestation(Response r) {
    byte[] attest = r.params().tpm2b();
    byte[] signature = r.params().bytes(r.params().remaining());
    return new Attestation(attest, signature);
  }

  private <T> T call(Command c, Exchange.Parser<T> parser) throws TpmException {
    return exchange.call(c, parser);
  }
}
