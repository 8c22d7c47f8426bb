package org.securecmd.daemon;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.Tpm;
import org.securecmd.tpm.TpmException;
import org.securecmd.tpm.TpmSignature;

/**
 * A JCA provider for tests that signs with an ECC P-256 key held in a TPM (TPM2_Sign through
 * {@code org.securecmd.tpm}), so a device whose TLS key never left the TPM can sign its CSR and authenticate
 * in a real TLS 1.3 handshake, as tpm2-pkcs11 does on a board. Only keys of this provider ({@link Key}) are
 * taken (delayed provider selection asks {@link Provider.Service#supportsParameter}); installed once per JVM.
 */
final class TpmKeyProvider extends Provider {
  private static final String NAME = "securecmd-test-tpm";

  private TpmKeyProvider() {
    super(NAME, "1", "SHA256withECDSA with a TPM-held key (tests)");
    putService(new Service(this, "Signature", "SHA256withECDSA", Spi.class.getName(), null, Map.of()) {
      @Override
      public boolean supportsParameter(Object parameter) {
        return parameter instanceof Key;
      }

      @Override
      public Object newInstance(Object constructorParameter) {
        return new Spi();
      }
    });
  }

  /** Installs the provider (last, so it is asked only for its own keys). */
  static synchronized void install() {
    if (Security.getProvider(NAME) == null) Security.addProvider(new TpmKeyProvider());
  }

  /** A TPM-held key: the TPM connection and the loaded key's handle. Not extractable. */
  record Key(Tpm tpm, LoadedKey key) implements PrivateKey {
    @Override
    public String getAlgorithm() {
      return "EC";
    }

    @Override
    public String getFormat() {
      return null;
    }

    @Override
    public byte[] getEncoded() {
      return null;
    }
  }

  static final class Spi extends SignatureSpi {
    private Key key;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    @Override
    protected void engineInitVerify(java.security.PublicKey publicKey) throws InvalidKeyException {
      throw new InvalidKeyException("sign only");
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
      if (!(privateKey instanceof Key k)) throw new InvalidKeyException("not a TPM key");
      key = k;
      data.reset();
    }

    @Override
    protected void engineUpdate(byte b) {
      data.write(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
      data.write(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(data.toByteArray());
        data.reset();
        TpmSignature s;
        synchronized (key.tpm()) { // one command at a time on the TPM's connection
          s = key.tpm().sign(key.key(), digest);
        }
        return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
            new ASN1Integer(new BigInteger(1, s.r())), new ASN1Integer(new BigInteger(1, s.s()))}).getEncoded();
      } catch (TpmException | java.io.IOException | java.security.NoSuchAlgorithmException e) {
        throw new SignatureException("TPM2_Sign failed: " + e.getMessage(), e);
      }
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) {
      throw new UnsupportedOperationException("sign only");
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) throws InvalidParameterException {
      throw new InvalidParameterException(param);
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      return null;
    }
  }
}
