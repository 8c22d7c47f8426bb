package org.securecmd.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A logged-in PKCS#11 token through the JDK's SunPKCS11 provider: its keys never leave the token.
 *
 * <pre>{@code
 * Pkcs11Token token = Pkcs11Token.open(new Pkcs11Token.Settings(Path.of("/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so"), 1, -1), pin);
 * CertifiedKey device = token.certifiedKey("device");   // PrivateKey.getEncoded() is null
 * }</pre>
 *
 * SunPKCS11 only shows a private key that has a certificate with the same CKA_ID; the alias is the
 * certificate's CKA_LABEL. {@link #generateKeyPair} therefore stores a self-signed placeholder
 * certificate next to the new key, and {@link #installCertificate} later replaces it with the issued one.
 * Opening a token installs its provider (at the end of the list, so it is only chosen for its own keys):
 * JSSE finds the provider that can sign with a key only among installed providers.
 * PKCS#11 login state belongs to the process and token: once one {@code open} logged in, a later one in
 * the same process is not asked for the PIN again (the CLI opens a token once per process).
 * Every failure is a {@link GeneralSecurityException} whose message names the one thing to fix: the
 * module path, the slot, the PIN, or the key label.
 */
public final class Pkcs11Token {
  private static final AtomicLong NAMES = new AtomicLong();
  private final Settings settings;
  private final Provider provider;
  private final KeyStore keyStore;

  /**
   * Where the token is: by label, by slot id, or by index; if none is given, the first slot with a token.
   *
   * @param module the PKCS#11 library, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
   * @param tokenLabel the token's label (as {@code pkcs11-tool -L} prints it), or null
   * @param slot the slot id, or -1
   * @param slotIndex the index in the list of slots with a token, or -1
   */
  public record Settings(Path module, String tokenLabel, long slot, int slotIndex) {
    public Settings {
      if (module == null) throw new IllegalArgumentException("module == null");
      int given = (tokenLabel != null ? 1 : 0) + (slot >= 0 ? 1 : 0) + (slotIndex >= 0 ? 1 : 0);
      if (given > 1) throw new IllegalArgumentException("give one of token label, slot id or slot index");
    }

    /** A token by slot id or index (-1: not given). */
    public Settings(Path module, long slot, int slotIndex) {
      this(module, null, slot, slotIndex);
    }

    String where() {
      if (tokenLabel != null) return module + " token \"" + tokenLabel + "\"";
      return module + (slot >= 0 ? " slot " + slot : " slot index " + Math.max(slotIndex, 0));
    }
  }

  private Pkcs11Token(Settings settings, Provider provider, KeyStore keyStore) {
    this.settings = settings;
    this.provider = provider;
    this.keyStore = keyStore;
  }

  /** Loads the module, selects the slot and logs in with {@code pin}. */
  public static Pkcs11Token open(Settings settings, char[] pin) throws GeneralSecurityException {
    if (!Files.isRegularFile(settings.module())) {
      throw new GeneralSecurityException("PKCS#11 module not found: " + settings.module());
    }
    Provider base = Security.getProvider("SunPKCS11");
    if (base == null) throw new GeneralSecurityException("this Java runtime has no SunPKCS11 provider (jdk.crypto.cryptoki)");
    long slot = settings.tokenLabel() == null ? settings.slot() : TokenLabels.slotOf(settings.module(), settings.tokenLabel());
    Provider provider;
    try {
      provider = base.configure(config(settings, slot));
    } catch (ProviderException | IllegalArgumentException e) {
      throw new GeneralSecurityException("cannot use PKCS#11 token " + settings.where() + ": " + rootMessage(e), e);
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS11", provider);
      ks.load(null, pin);
      // JSSE and Signature.getInstance(alg) pick a provider per key only among installed providers.
      Security.addProvider(provider);
      return new Pkcs11Token(settings, provider, ks);
    } catch (IOException | GeneralSecurityException | ProviderException e) {
      String m = rootMessage(e);
      if (m.contains("CKR_PIN_INCORRECT")) throw new GeneralSecurityException("wrong PIN for PKCS#11 token " + settings.where(), e);
      if (m.contains("CKR_PIN_LOCKED")) throw new GeneralSecurityException("PIN locked on PKCS#11 token " + settings.where(), e);
      throw new GeneralSecurityException("cannot log in to PKCS#11 token " + settings.where() + ": " + m, e);
    }
  }

  private static String config(Settings s, long slot) {
    // Keys generated through this provider are token objects that cannot be read out.
    return "--name=securecmd" + NAMES.incrementAndGet() + "\n"
        + "library=" + s.module().toAbsolutePath() + "\n"
        + (slot >= 0 ? "slot=" + slot : "slotListIndex=" + Math.max(s.slotIndex(), 0)) + "\n"
        + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n  CKA_TOKEN = true\n  CKA_PRIVATE = true\n"
        + "  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n"
        + "attributes(generate, CKO_PUBLIC_KEY, *) = {\n  CKA_TOKEN = true\n}\n";
  }

  /** The provider bound to this token, for signatures made by its keys (e.g. a CSR). */
  public Provider provider() {
    return provider;
  }

  /** Labels of the keys SunPKCS11 shows (those with a certificate). */
  public List<String> keyLabels() throws GeneralSecurityException {
    List<String> labels = new ArrayList<>();
    for (String a : Collections.list(keyStore.aliases())) {
      if (keyStore.isKeyEntry(a)) labels.add(a);
    }
    return labels;
  }

  /** The key labelled {@code label} and the certificate chain stored with it. */
  public CertifiedKey certifiedKey(String label) throws GeneralSecurityException {
    if (!keyStore.isKeyEntry(label)) {
      throw new GeneralSecurityException("no key labelled \"" + label + "\" on PKCS#11 token " + settings.where()
          + " (keys with a certificate: " + keyLabels() + ")");
    }
    PrivateKey key = (PrivateKey) keyStore.getKey(label, null);
    Certificate[] chain = keyStore.getCertificateChain(label);
    List<X509Certificate> certs = new ArrayList<>();
    for (Certificate c : chain) certs.add((X509Certificate) c);
    return new CertifiedKey(key, certs);
  }

  /**
   * Generates an EC key pair inside the token ({@code secp256r1} or {@code secp384r1}): a token object,
   * sensitive and not extractable. Until {@link #installCertificate} runs, SunPKCS11 cannot find it
   * again, so the caller stores a certificate (a self-signed placeholder is enough) right away.
   */
  public KeyPair generateKeyPair(String curve) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  /**
   * Stores {@code chain} (leaf first) for the token key {@code key} under {@code label}; SunPKCS11 sets
   * the certificate's CKA_LABEL to {@code label} and the CKA_ID of key and certificate to its bytes.
   */
  public void installCertificate(String label, PrivateKey key, List<X509Certificate> chain) throws GeneralSecurityException {
    if (!new CertifiedKey(key, chain).keyMatchesLeaf()) {
      throw new GeneralSecurityException("the certificate " + chain.get(0).getSubjectX500Principal().getName()
          + " is not for the key labelled \"" + label + "\"");
    }
    keyStore.setKeyEntry(label, key, null, chain.toArray(new Certificate[0]));
  }

  /**
   * Replaces the key labelled {@code label} by {@code newKey} (generated in this token) with its certificate
   * {@code chain}, so that a crash at any point leaves a usable key: the new key and certificate are stored
   * under {@code label + ".next"} first, then the old key and certificate are deleted, then the new ones are
   * stored under {@code label} and the {@code .next} entry is removed. {@link #finishReplacement} completes
   * an interrupted replacement.
   */
  public void replaceKey(String label, PrivateKey newKey, List<X509Certificate> chain) throws GeneralSecurityException {
    installCertificate(label + NEXT, newKey, chain);
    replaceWithNext(label);
  }

  /**
   * The last steps of {@link #replaceKey} for a new key already stored with its certificate under
   * {@code label + ".next"} by other means (a TPM key that {@code tpm2_ptool link} put into the token): deletes
   * the key and certificate labelled {@code label}, then relabels the {@code .next} entry.
   */
  public void replaceWithNext(String label) throws GeneralSecurityException {
    if (!keyStore.isKeyEntry(label + NEXT)) {
      throw new GeneralSecurityException("no key labelled \"" + label + NEXT + "\" on PKCS#11 token " + settings.where());
    }
    if (keyStore.containsAlias(label)) keyStore.deleteEntry(label);
    finishReplacement(label);
  }

  /** After an interrupted {@link #replaceKey}: when {@code label} is gone and {@code label.next} exists, relabels it. */
  public boolean finishReplacement(String label) throws GeneralSecurityException {
    String next = label + NEXT;
    if (!keyStore.isKeyEntry(next)) return false;
    if (keyStore.isKeyEntry(label)) return false; // the old key is still there: the replacement had not begun deleting
    CertifiedKey n = certifiedKey(next);
    keyStore.setKeyEntry(label, n.privateKey(), null, n.chain().toArray(new Certificate[0]));
    if (keyStore.containsAlias(next)) keyStore.deleteEntry(next);
    return true;
  }

  private static final String NEXT = ".next";

  private static String rootMessage(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t.getMessage() != null && !b.toString().contains(t.getMessage())) b.append(": ").append(t.getMessage());
    }
    return b.toString();
  }
}
