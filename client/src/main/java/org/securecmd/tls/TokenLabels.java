package org.securecmd.tls;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a token's slot by its label. SunPKCS11's configuration only selects by slot id or index, so this
 * asks the module itself (C_GetSlotList, C_GetTokenInfo) through the JDK's own PKCS#11 wrapper, the one
 * SunPKCS11 uses, by reflection. That package is not exported: the jars' manifests carry
 * {@code Add-Exports: jdk.crypto.cryptoki/sun.security.pkcs11.wrapper}, which {@code java -jar} honours;
 * other launchers pass {@code --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED}.
 * Without it, a label is a clear error and {@code --pkcs11-slot} still works.
 */
final class TokenLabels {
  static final String EXPORT = "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper";
  private static final long CKF_OS_LOCKING_OK = 0x2;

  private TokenLabels() {}

  /** The id of the slot whose token is labelled {@code label}. */
  static long slotOf(Path module, String label) throws GeneralSecurityException {
    List<String> seen = new ArrayList<>();
    try {
      Class<?> pkcs11 = Class.forName("sun.security.pkcs11.wrapper.PKCS11");
      Class<?> initArgsType = Class.forName("sun.security.pkcs11.wrapper.CK_C_INITIALIZE_ARGS");
      Object initArgs = initArgsType.getConstructor().newInstance();
      initArgsType.getField("flags").setLong(initArgs, CKF_OS_LOCKING_OK); // as SunPKCS11 initialises it
      Method getInstance = pkcs11.getMethod("getInstance", String.class, String.class, initArgsType, boolean.class);
      Object p11 = getInstance.invoke(null, module.toAbsolutePath().toString(), "C_GetFunctionList", initArgs, false);
      long[] slots = (long[]) pkcs11.getMethod("C_GetSlotList", boolean.class).invoke(p11, true);
      Method tokenInfo = pkcs11.getMethod("C_GetTokenInfo", long.class);
      for (long slot : slots) {
        Object info = tokenInfo.invoke(p11, slot);
        String l = new String((char[]) info.getClass().getField("label").get(info)).strip();
        if (l.equals(label)) return slot;
        seen.add(l);
      }
    } catch (IllegalAccessException | java.lang.reflect.InaccessibleObjectException e) {
      throw new GeneralSecurityException("finding a PKCS#11 token by label needs " + EXPORT
          + " exported (java -jar does it; otherwise --add-exports " + EXPORT + "=ALL-UNNAMED); or give the slot id", e);
    } catch (InvocationTargetException e) {
      throw new GeneralSecurityException("cannot list the tokens of PKCS#11 module " + module + ": "
          + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new GeneralSecurityException("this Java runtime has no usable PKCS#11 wrapper: " + e, e);
    }
    throw new GeneralSecurityException("no PKCS#11 token labelled \"" + label + "\" in " + module + " (tokens: " + seen + ")");
  }
}
