package org.securecmd.daemon;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;

/**
 * Runs, once and on a second core, the cryptography of a first handshake on throw-away keys while the main
 * thread reads the configuration: the JCA providers' setup, P-256 signatures (the key check, CertificateVerify),
 * an RSA verification (a CA's signature on a device certificate), X25519, HKDF's HMAC and AES-GCM. A cold JVM
 * runs these in the interpreter, and the first reply waits for them on the main thread (the key check) and on
 * the first connection's thread (the handshake); after this, the providers are set up and the hot methods are
 * compiled or on their way (measured: docs/performance.md, "Cold start"). Nothing here touches the daemon's
 * keys or configuration, and a failure only costs the warm-up.
 */
final class CryptoWarmup {
  private CryptoWarmup() {}

  /** Starts the warm-up on a daemon thread; returns at once. */
  static void start() {
    Thread.ofPlatform().name("crypto-warmup").daemon(true).start(CryptoWarmup::run);
  }

  static void run() {
    try {
      SSLContext.getInstance("TLSv1.3"); // the JSSE provider's setup (no init: that would read cacerts)
      byte[] data = "securecmd warm-up".getBytes(StandardCharsets.US_ASCII);
      SecureRandom random = new SecureRandom();

      KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
      ec.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair p256 = ec.generateKeyPair();
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initSign(p256.getPrivate());
      ecdsa.update(data);
      byte[] signature = ecdsa.sign();
      ecdsa.initVerify(p256.getPublic());
      ecdsa.update(data);
      ecdsa.verify(signature);

      // RSA public-key operation (what verifying a CA's RSA signature costs) on a made-up 2048-bit modulus:
      // the signature does not verify, and need not; making a real RSA key would cost seconds.
      BigInteger modulus = new BigInteger(2048, random).setBit(2047).setBit(0);
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus,
          BigInteger.valueOf(65537))));
      rsa.update(data);
      byte[] madeUp = new byte[256];
      random.nextBytes(madeUp);
      madeUp[0] = 0; // below the modulus, so the modPow runs
      rsa.verify(madeUp); // false

      KeyPairGenerator xdh = KeyPairGenerator.getInstance("X25519");
      KeyPair a = xdh.generateKeyPair();
      KeyPair b = xdh.generateKeyPair();
      KeyAgreement agreement = KeyAgreement.getInstance("X25519");
      agreement.init(a.getPrivate());
      agreement.doPhase(b.getPublic(), true);
      byte[] shared = agreement.generateSecret();

      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(shared, "HmacSHA256"));
      byte[] key = hmac.doFinal(data);
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, 0, 16, "AES"), new GCMParameterSpec(128, new byte[12]));
      gcm.doFinal(data);
    } catch (GeneralSecurityException | RuntimeException e) {
      // only the warm-up is lost: the daemon's own calls report their errors where they happen
    }
  }
}
